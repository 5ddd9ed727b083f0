using PocketNet.Torch.NN;
using PocketNet.Torch.Tests.Support;

namespace PocketNet.Torch.Tests.Ops;

public class NeuralNetworkOpsTests
{
    [Theory]
    [InlineData(4, 6, 3, 1, 1, 1, 1)]   // plain 3x3
    [InlineData(4, 4, 3, 2, 1, 1, 4)]   // depthwise, strided
    [InlineData(4, 6, 3, 1, 2, 2, 2)]   // grouped, dilated
    [InlineData(3, 8, 5, 2, 2, 1, 1)]   // 5x5 stride 2
    [InlineData(4, 4, 7, 1, 0, 1, 4)]   // 7x7 depthwise without padding (the GDC of the tail)
    public void Conv2dMatchesTheDefinition(int inC, int outC, int k, int stride, int pad, int dilation, int groups)
    {
        using var scope = DisposeScope.Enter();
        const int n = 2, h = 9, w = 8;
        double[] x = TestData.Values(n * inC * h * w, 1);
        double[] weight = TestData.Values(outC * (inC / groups) * k * k, 2);
        double[] bias = TestData.Values(outC, 3);
        double[] expected = NaiveKernels.Conv2d(x, n, inC, h, w, weight, outC, k, bias, stride, pad, dilation, groups,
            out int outH, out int outW);
        var y = Functional.Conv2d(TestData.Tensor(x, n, inC, h, w), TestData.Tensor(weight, outC, inC / groups, k, k),
            TestData.Tensor(bias, outC), (stride, stride), (pad, pad), (dilation, dilation), groups);
        Assert.Equal(new long[] { n, outC, outH, outW }, y.Shape);
        TestData.AssertClose(expected, y.ToArray<double>(), 1e-12);
    }

    [Fact]
    public void BatchNormInTrainingUsesBatchStatisticsAndUpdatesRunningOnes()
    {
        using var scope = DisposeScope.Enter();
        const int n = 3, c = 2, hw = 4;
        double[] x = TestData.Values(n * c * hw, 4);
        double[] gamma = [1.5, 0.5], beta = [0.1, -0.2];
        var (mean, variance) = NaiveKernels.ChannelStatistics(x, n, c, hw);
        var runningMean = Tensors.Zeros([c], ScalarType.Float64);
        var runningVar = Tensors.Ones([c], ScalarType.Float64);
        var y = Functional.BatchNorm(TestData.Tensor(x, n, c, 2, 2), runningMean, runningVar,
            TestData.Tensor(gamma, c), TestData.Tensor(beta, c), training: true, momentum: 0.1, eps: 1e-5);
        var expected = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            int ch = i / hw % c;
            expected[i] = (x[i] - mean[ch]) / Math.Sqrt(variance[ch] + 1e-5) * gamma[ch] + beta[ch];
        }
        TestData.AssertClose(expected, y.ToArray<double>(), 1e-10);
        // running statistics: momentum 0.1, and the variance is updated with the unbiased estimate
        int m = n * hw;
        TestData.AssertClose(mean.Select(v => 0.1 * v).ToArray(), runningMean.ToArray<double>(), 1e-12);
        TestData.AssertClose(variance.Select(v => 0.9 + 0.1 * v * m / (m - 1)).ToArray(), runningVar.ToArray<double>(), 1e-12);
    }

    [Fact]
    public void BatchNormInEvaluationUsesRunningStatistics()
    {
        using var scope = DisposeScope.Enter();
        var x = TestData.Tensor([1, 2, 3, 4], 1, 2, 1, 2);
        var y = Functional.BatchNorm(x, TestData.Tensor([1, 2], 2), TestData.Tensor([4, 9], 2), null, null,
            training: false, eps: 0);
        TestData.AssertClose([0, 0.5, 1 / 3.0, 2 / 3.0], y.ToArray<double>(), 1e-12);
    }

    [Fact]
    public void BatchNormModuleCountsBatchesAndSwitchesMode()
    {
        using var scope = DisposeScope.Enter();
        using var bn = new BatchNorm2d(2);
        var x = Tensors.Randn([4, 2, 3, 3]);
        bn.Forward(x);
        bn.Forward(x);
        Assert.Equal(2, bn.NumBatchesTracked.ItemLong());
        bn.Eval();
        var y = bn.Forward(x);
        Assert.Equal(2, bn.NumBatchesTracked.ItemLong());
        var expected = (x - bn.RunningMean.Reshape(1, 2, 1, 1)) / (bn.RunningVar.Reshape(1, 2, 1, 1) + 1e-5).Sqrt();
        Assert.True(y.AllClose(expected, atol: 1e-6));
    }

    [Fact]
    public void PReluScalesNegativesPerChannel()
    {
        using var scope = DisposeScope.Enter();
        var x = TestData.Tensor([-1, 2, -3, 4], 1, 2, 1, 2);
        var y = Functional.PRelu(x, TestData.Tensor([0.5, 0.25], 2));
        TestData.AssertClose([-0.5, 2, -0.75, 4], y.ToArray<double>(), 1e-15);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(false, false)]
    public void PoolingMatchesTheDefinition(bool max, bool countIncludePad)
    {
        using var scope = DisposeScope.Enter();
        const int n = 2, c = 3, h = 7, w = 6;
        double[] x = TestData.Values(n * c * h * w, 5);
        foreach (int stride in new[] { 1, 2 })
        {
            double[] expected = NaiveKernels.Pool2d(x, n, c, h, w, 3, stride, 1, max, countIncludePad, out int oh, out int ow);
            var input = TestData.Tensor(x, n, c, h, w);
            var y = max ? Functional.MaxPool2d(input, 3, stride, 1)
                        : Functional.AvgPool2d(input, 3, stride, 1, countIncludePad: countIncludePad);
            Assert.Equal(new long[] { n, c, oh, ow }, y.Shape);
            TestData.AssertClose(expected, y.ToArray<double>(), 1e-12, $"stride {stride}");
        }
    }

    [Fact]
    public void AdaptiveAveragePoolingToOnePixelIsTheMean()
    {
        using var scope = DisposeScope.Enter();
        var x = Tensors.Randn([2, 3, 5, 5], ScalarType.Float64);
        Assert.True(Functional.AdaptiveAvgPool2d(x, 1, 1).Flatten(1).AllClose(x.Mean([2, 3])));
    }

    [Fact]
    public void SoftmaxLogSoftmaxAndCrossEntropy()
    {
        using var scope = DisposeScope.Enter();
        double[] logits = [1, 2, 0.5, -1, 3, 0];
        long[] target = [1, 0];
        var z = TestData.Tensor(logits, 2, 3);
        double[] expectedLog = new double[6];
        double loss = 0;
        for (int r = 0; r < 2; r++)
        {
            double lse = Math.Log(Enumerable.Range(0, 3).Sum(j => Math.Exp(logits[r * 3 + j])));
            for (int j = 0; j < 3; j++) expectedLog[r * 3 + j] = logits[r * 3 + j] - lse;
            loss -= expectedLog[r * 3 + target[r]];
        }
        TestData.AssertClose(expectedLog, Functional.LogSoftmax(z, 1).ToArray<double>(), 1e-12);
        TestData.AssertClose(expectedLog.Select(Math.Exp).ToArray(), Functional.Softmax(z, 1).ToArray<double>(), 1e-12);
        var t = Tensors.FromArray(target);
        Assert.Equal(loss / 2, Functional.CrossEntropy(z, t).Item(), 12);
        Assert.Equal(loss, Functional.CrossEntropy(z, t, Reduction.Sum).Item(), 12);
        Assert.Equal(loss / 2, Functional.NllLoss(Functional.LogSoftmax(z, 1), t).Item(), 12);
        Assert.Equal(new long[] { 2 }, Functional.CrossEntropy(z, t, Reduction.None).Shape);
    }

    [Fact]
    public void MeanSquaredError()
    {
        using var scope = DisposeScope.Enter();
        var a = TestData.Tensor([1, 2, 3], 3);
        var b = TestData.Tensor([1, 0, 6], 3);
        Assert.Equal((0 + 4 + 9) / 3.0, Functional.MseLoss(a, b).Item(), 12);
        Assert.Equal(13, Functional.MseLoss(a, b, Reduction.Sum).Item(), 12);
    }

    [Fact]
    public void L2NormalisationGivesUnitRows()
    {
        using var scope = DisposeScope.Enter();
        var x = TestData.Tensor([3, 4, 0, 0], 2, 2);
        TestData.AssertClose([0.6, 0.8, 0, 0], Functional.Normalize(x).ToArray<double>(), 1e-15);
    }

    [Fact]
    public void DropoutIsIdentityInEvaluationAndScalesInTraining()
    {
        using var scope = DisposeScope.Enter();
        var x = Tensors.Ones([10_000]);
        Assert.Equal(x.ToArray<float>(), Functional.Dropout(x, 0.3, training: false).ToArray<float>());
        float[] dropped = Functional.Dropout(x, 0.3, training: true).ToArray<float>();
        Assert.All(dropped, v => Assert.True(v == 0 || Math.Abs(v - 1 / 0.7) < 1e-5));
        Assert.InRange(dropped.Count(v => v == 0) / 10_000.0, 0.27, 0.33);
    }
}
