using PocketNet.Torch.Tests.Support;

namespace PocketNet.Torch.Tests.Ops;

public class ElementwiseTests
{
    private static readonly double[] A = [0.5, -1.25, 2.0, 0.75];
    private static readonly double[] B = [1.5, 0.25, -4.0, 0.5];

    private static double[] Run(Func<Tensor, Tensor, Tensor> op)
    {
        using var scope = DisposeScope.Enter();
        return op(TestData.Tensor(A, 4), TestData.Tensor(B, 4)).ToArray<double>();
    }

    private static double[] Expected(Func<double, double, double> f) => A.Zip(B, f).ToArray();

    [Fact]
    public void Arithmetic()
    {
        TestData.AssertClose(Expected((a, b) => a + b), Run((a, b) => a + b), 1e-12);
        TestData.AssertClose(Expected((a, b) => a - b), Run((a, b) => a - b), 1e-12);
        TestData.AssertClose(Expected((a, b) => a * b), Run((a, b) => a * b), 1e-12);
        TestData.AssertClose(Expected((a, b) => a / b), Run((a, b) => a / b), 1e-12);
        TestData.AssertClose(Expected((a, _) => a * 3 + 1), Run((a, _) => a * 3 + 1), 1e-12);
        TestData.AssertClose(Expected((a, _) => 2 - a), Run((a, _) => 2 - a), 1e-12);
        TestData.AssertClose(Expected((a, _) => 2 / a), Run((a, _) => 2 / a), 1e-12);
        TestData.AssertClose(Expected((a, _) => -a), Run((a, _) => -a), 1e-12);
        TestData.AssertClose(Expected((a, _) => a / 4), Run((a, _) => a / 4), 1e-12);
        TestData.AssertClose(Expected(Math.Max), Run((a, b) => a.Maximum(b)), 1e-12);
        TestData.AssertClose(Expected(Math.Min), Run((a, b) => a.Minimum(b)), 1e-12);
    }

    [Fact]
    public void Functions()
    {
        TestData.AssertClose(Expected((a, _) => Math.Exp(a)), Run((a, _) => a.Exp()), 1e-12);
        TestData.AssertClose(Expected((_, b) => Math.Sqrt(Math.Abs(b))), Run((_, b) => b.Abs().Sqrt()), 1e-12);
        TestData.AssertClose(Expected((_, b) => Math.Log(Math.Abs(b))), Run((_, b) => b.Abs().Log()), 1e-12);
        TestData.AssertClose(Expected((a, _) => Math.Cos(a)), Run((a, _) => a.Cos()), 1e-12);
        TestData.AssertClose(Expected((a, _) => Math.Sin(a)), Run((a, _) => a.Sin()), 1e-12);
        TestData.AssertClose(Expected((a, _) => Math.Acos(a / 3)), Run((a, _) => (a / 3).Acos()), 1e-12);
        TestData.AssertClose(Expected((a, _) => Math.Max(a, 0)), Run((a, _) => a.Relu()), 1e-12);
        TestData.AssertClose(Expected((a, _) => a * a), Run((a, _) => a.Square()), 1e-12);
        TestData.AssertClose(Expected((a, _) => Math.Pow(Math.Abs(a), 1.5)), Run((a, _) => a.Abs().Pow(1.5)), 1e-12);
        TestData.AssertClose(Expected((a, _) => 1 / Math.Sqrt(Math.Abs(a))), Run((a, _) => a.Abs().Rsqrt()), 1e-12);
        TestData.AssertClose(Expected((a, _) => Math.Tanh(a)), Run((a, _) => a.Tanh()), 1e-12);
        TestData.AssertClose(Expected((a, _) => 1 / (1 + Math.Exp(-a))), Run((a, _) => a.Sigmoid()), 1e-12);
    }

    [Fact]
    public void ClampBoundsEitherOrBothSides()
    {
        TestData.AssertClose(Expected((a, _) => Math.Clamp(a, -1, 1)), Run((a, _) => a.Clamp(-1, 1)), 0);
        TestData.AssertClose(Expected((a, _) => Math.Max(a, 0.6)), Run((a, _) => a.ClampMin(0.6)), 0);
        TestData.AssertClose(Expected((a, _) => Math.Min(a, 0.6)), Run((a, _) => a.ClampMax(0.6)), 0);
    }

    [Fact]
    public void ComparisonsAndWhere()
    {
        using var scope = DisposeScope.Enter();
        var a = TestData.Tensor(A, 4);
        var b = TestData.Tensor(B, 4);
        Assert.Equal(A.Zip(B, (x, y) => x > y).ToArray(), a.Gt(b).ToArray<bool>());
        Assert.Equal(A.Select(x => x <= 0.5).ToArray(), a.Le(0.5).ToArray<bool>());
        Assert.Equal(A.Select(x => x == 2.0).ToArray(), a.Eq(2.0).ToArray<bool>());
        double[] chosen = Tensors.Where(a.Gt(b), a, b).ToArray<double>();
        TestData.AssertClose(A.Zip(B, Math.Max).ToArray(), chosen, 0);
    }

    [Fact]
    public void BroadcastsLikeNumPy()
    {
        using var scope = DisposeScope.Enter();
        var column = Tensors.FromArray(new float[] { 1, 2 }, 2, 1);
        var row = Tensors.FromArray(new float[] { 10, 20, 30 }, 1, 3);
        var sum = column + row;
        Assert.Equal(new long[] { 2, 3 }, sum.Shape);
        Assert.Equal(new float[] { 11, 21, 31, 12, 22, 32 }, sum.ToArray<float>());
    }

    [Fact]
    public void InPlaceUpdatesUsedByOptimisers()
    {
        using var scope = DisposeScope.Enter();
        var p = Tensors.FromArray(new[] { 1.0, 2.0 });
        var g = Tensors.FromArray(new[] { 0.5, -1.0 });
        p.AddInPlace(g, -0.1);                 // p - 0.1 g
        TestData.AssertClose([0.95, 2.1], p.ToArray<double>(), 1e-15);
        p.MulInPlace(2).AddInPlace(1);         // 2p + 1
        TestData.AssertClose([2.9, 5.2], p.ToArray<double>(), 1e-15);
        p.AddcmulInPlace(g, g, 2);             // + 2 g²
        TestData.AssertClose([3.4, 7.2], p.ToArray<double>(), 1e-15);
        p.AddcdivInPlace(g, Tensors.FromArray(new[] { 2.0, 4.0 }), -1); // - g / d
        TestData.AssertClose([3.15, 7.45], p.ToArray<double>(), 1e-14);
        p.LerpInPlace(Tensors.FromArray(new[] { 0.0, 0.0 }), 0.5);
        TestData.AssertClose([1.575, 3.725], p.ToArray<double>(), 1e-14);
        p.Fill(3);
        Assert.Equal(new[] { 3.0, 3.0 }, p.ToArray<double>());
        p.Zero();
        Assert.Equal(new[] { 0.0, 0.0 }, p.ToArray<double>());
    }

    [Fact]
    public void IntegerTensorsStayIntegralWithIntegralScalars()
    {
        using var scope = DisposeScope.Enter();
        var labels = Tensors.FromArray(new long[] { 1, 2, 3 });
        var shifted = labels * 2 + 1;
        Assert.Equal(ScalarType.Int64, shifted.DType);
        Assert.Equal(new long[] { 3, 5, 7 }, shifted.ToArray<long>());
    }
}
