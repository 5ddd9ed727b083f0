using PocketNet.Torch.NN;
using PocketNet.Torch.Tests.Support;

namespace PocketNet.Torch.Tests.Gradients;

public class GradientTests
{
    private static Tensor Input(int seed, params long[] shape)
    {
        long count = shape.Aggregate(1L, (a, b) => a * b);
        return TestData.Tensor(TestData.Values((int)count, seed), shape);
    }

    [Theory]
    [InlineData(4, 4, 3, 1, 1, 1, 1)]
    [InlineData(4, 4, 3, 2, 1, 1, 4)]   // depthwise, strided
    [InlineData(4, 6, 3, 1, 2, 2, 2)]   // grouped, dilated
    [InlineData(2, 4, 1, 2, 0, 1, 1)]   // 1x1 strided (FactorizedReduce)
    public void Conv2d(int inC, int outC, int k, int stride, int pad, int dilation, int groups)
    {
        using var scope = DisposeScope.Enter();
        GradientCheck.Assert(
            t => GradientCheck.Project(Functional.Conv2d(t[0], t[1], t[2], (stride, stride), (pad, pad), (dilation, dilation), groups), 10),
            [Input(1, 2, inC, 6, 5), Input(2, outC, inC / groups, k, k), Input(3, outC)]);
    }

    [Fact]
    public void ConstantPad()
    {
        using var scope = DisposeScope.Enter();
        GradientCheck.Assert(t => GradientCheck.Project(t[0].ConstantPad([0, 1, 1, 2], 0.5), 12), [Input(7, 2, 3, 4, 3)]);
    }

    [Fact]
    public void BatchNormInTraining()
    {
        using var scope = DisposeScope.Enter();
        GradientCheck.Assert(
            t => GradientCheck.Project(Functional.BatchNorm(t[0], null, null, t[1], t[2], training: true), 11),
            [Input(4, 3, 2, 3, 3), Input(5, 2), Input(6, 2)], tolerance: 1e-5);
    }

    [Fact]
    public void BatchNormInEvaluation()
    {
        using var scope = DisposeScope.Enter();
        var mean = TestData.Tensor([0.1, -0.2], 2);
        var variance = TestData.Tensor([0.5, 2.0], 2);
        GradientCheck.Assert(
            t => GradientCheck.Project(Functional.BatchNorm(t[0], mean, variance, t[1], t[2], training: false), 12),
            [Input(7, 2, 2, 3, 3), Input(8, 2), Input(9, 2)]);
    }

    [Fact]
    public void PRelu()
    {
        using var scope = DisposeScope.Enter();
        // keep inputs away from the kink at 0 so central differences are valid
        var x = Input(10, 2, 3, 4, 4);
        using (Engine.NoGrad()) x.AddInPlace(x.Sign() * 0.05);
        GradientCheck.Assert(t => GradientCheck.Project(Functional.PRelu(t[0], t[1]), 13),
            [x, TestData.Tensor([0.25, -0.1, 0.6], 3)]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void MaxPool(int stride)
    {
        using var scope = DisposeScope.Enter();
        // distinct values so the arg-max never ties under a small perturbation
        var values = Enumerable.Range(0, 2 * 2 * 5 * 5).Select(i => (double)i / 10).OrderBy(v => Math.Sin(v * 977)).ToArray();
        GradientCheck.Assert(t => GradientCheck.Project(Functional.MaxPool2d(t[0], 3, stride, 1), 14),
            [TestData.Tensor(values, 2, 2, 5, 5)]);
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(2, false)]
    public void AvgPool(int stride, bool countIncludePad)
    {
        using var scope = DisposeScope.Enter();
        GradientCheck.Assert(t => GradientCheck.Project(Functional.AvgPool2d(t[0], 3, stride, 1, countIncludePad: countIncludePad), 15),
            [Input(16, 2, 2, 5, 5)]);
    }

    [Fact]
    public void LossesAndNormalisation()
    {
        using var scope = DisposeScope.Enter();
        var target = Tensors.FromArray(new long[] { 2, 0, 1 });
        GradientCheck.Assert(t => Functional.CrossEntropy(t[0], target), [Input(17, 3, 4)]);
        GradientCheck.Assert(t => Functional.MseLoss(Functional.Normalize(t[0]), Functional.Normalize(t[1])) * 100,
            [Input(18, 3, 5), Input(19, 3, 5)]);
        GradientCheck.Assert(t => GradientCheck.Project(Functional.Linear(t[0], t[1], t[2]), 20),
            [Input(21, 3, 4), Input(22, 2, 4), Input(23, 2)]);
    }

    [Fact]
    public void NoGradScopeRecordsNothingAndDetachCutsTheGraph()
    {
        using var scope = DisposeScope.Enter();
        var w = Tensors.Ones([2]).RequiresGradient();
        using (Engine.NoGrad())
        {
            Assert.False(Engine.IsGradEnabled);
            Assert.False((w * 2).RequiresGrad);
        }
        Assert.True(Engine.IsGradEnabled);
        Assert.True((w * 2).RequiresGrad);
        Assert.False((w * 2).Detach().RequiresGrad);
    }

    [Fact]
    public void GradientsAccumulateUntilCleared()
    {
        using var scope = DisposeScope.Enter();
        var w = TestData.Tensor([1, 2], 2).RequiresGradient();
        Assert.Null(w.Grad);
        (w * w).Sum().Backward();
        (w * w).Sum().Backward();
        Assert.Equal(new[] { 4.0, 8.0 }, w.Grad!.ToArray<double>());
        w.Grad = null;
        Assert.Null(w.Grad);
    }
}

public class FunctionalAutogradTests
{
    [Fact]
    public void GradReturnsGradientsWithoutAccumulating()
    {
        using var scope = DisposeScope.Enter();
        var x = Tensors.FromArray(new[] { 1.0, 2.0, 3.0 }).RequiresGradient();
        var y = Tensors.FromArray(new[] { 0.5 }).RequiresGradient();
        var unused = Tensors.FromArray(new[] { 0.0 }).RequiresGradient();
        var loss = (x.Square() * y).Sum(); // d/dx = 2xy, d/dy = Σx²
        var grads = Autograd.Grad([loss], [x, y, unused], allowUnused: true);
        Assert.Equal(new[] { 1.0, 2.0, 3.0 }, grads[0]!.ToArray<double>());
        Assert.Equal(new[] { 14.0 }, grads[1]!.ToArray<double>());
        Assert.Null(grads[2]);
        Assert.Null(x.Grad);
    }

    [Fact]
    public void CreateGraphAllowsSecondDerivatives()
    {
        using var scope = DisposeScope.Enter();
        var x = Tensors.FromArray(new[] { 2.0 }).RequiresGradient();
        var first = Autograd.Grad([x.Pow(3).Sum()], [x], createGraph: true)[0]!; // 3x² = 12
        var second = Autograd.Grad([first.Sum()], [x])[0]!;                     // 6x = 12
        Assert.Equal(12.0, first.Item(), 12);
        Assert.Equal(12.0, second.Item(), 12);
    }
}
