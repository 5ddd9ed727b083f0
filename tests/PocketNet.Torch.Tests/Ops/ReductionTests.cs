using PocketNet.Torch.Tests.Support;

namespace PocketNet.Torch.Tests.Ops;

public class ReductionTests
{
    private static readonly double[] Values = [3, -1, 4, 1, -5, 9, 2, 6];

    private static Tensor Matrix() => TestData.Tensor(Values, 2, 4);

    [Fact]
    public void SumMeanOverAllAndAlongDimensions()
    {
        using var scope = DisposeScope.Enter();
        var m = Matrix();
        Assert.Equal(Values.Sum(), m.Sum().Item(), 12);
        Assert.Equal(Values.Average(), m.Mean().Item(), 12);
        Assert.Equal(new[] { 7.0, 12.0 }, m.Sum(1).ToArray<double>());
        Assert.Equal(new[] { -1.0, 4.0, 3.0, 3.5 }, m.Mean(0).ToArray<double>());
        Assert.Equal(new long[] { 2, 1 }, m.Sum(1, keepDim: true).Shape);
        Assert.Equal(Values.Sum(), m.Sum([0, 1]).Item(), 12);
    }

    [Fact]
    public void MaxMinArgMaxTopK()
    {
        using var scope = DisposeScope.Enter();
        var m = Matrix();
        Assert.Equal(9, m.Max().Item());
        Assert.Equal(-5, m.Min().Item());
        Assert.Equal(5, m.ArgMax().ItemLong());
        var (values, indices) = m.Max(1);
        Assert.Equal(new[] { 4.0, 9.0 }, values.ToArray<double>());
        Assert.Equal(new long[] { 2, 1 }, indices.ToArray<long>());
        Assert.Equal(new long[] { 0, 1, 0, 1 }, m.ArgMax(0).ToArray<long>());
        var (top, where) = m.TopK(2, dim: 1);
        Assert.Equal(new[] { 4.0, 3.0, 9.0, 6.0 }, top.ToArray<double>());
        Assert.Equal(new long[] { 2, 0, 1, 3 }, where.ToArray<long>());
        var (low, _) = m.TopK(1, dim: 1, largest: false);
        Assert.Equal(new[] { -1.0, -5.0 }, low.ToArray<double>());
        Assert.Equal(new[] { 4.0, 3.0, 1.0, -1.0, 9.0, 6.0, 2.0, -5.0 }, m.Sort(1, descending: true).Values.ToArray<double>());
    }

    [Fact]
    public void NormVarianceStd()
    {
        using var scope = DisposeScope.Enter();
        var m = Matrix();
        Assert.Equal(Math.Sqrt(Values.Sum(v => v * v)), m.Norm().Item(), 12);
        double mean = Values.Average();
        double unbiased = Values.Sum(v => (v - mean) * (v - mean)) / (Values.Length - 1);
        Assert.Equal(unbiased, m.Var().Item(), 12);
        Assert.Equal(Math.Sqrt(unbiased), m.Std().Item(), 12);
        Assert.Equal(new[] { Math.Sqrt(27), Math.Sqrt(146) }, m.Norm(1).ToArray<double>());
        Assert.Equal(new[] { 3.0, 2, 6, 7 }, m.Select(0, 0).Unsqueeze(0).CumSum(1).ToArray<double>());
    }

    [Fact]
    public void MatMulAndLinear()
    {
        using var scope = DisposeScope.Enter();
        var a = TestData.Tensor([1, 2, 3, 4, 5, 6], 2, 3);
        var b = TestData.Tensor([1, 0, 0, 1, 1, 1], 3, 2);
        Assert.Equal(new[] { 4.0, 5, 10, 11 }, a.MatMul(b).ToArray<double>());
        var bias = TestData.Tensor([100, 200], 2);
        // linear computes x Wᵀ + b with W of shape [out, in]
        Assert.Equal(new[] { 104.0, 205, 110, 211 },
            PocketNet.Torch.NN.Functional.Linear(a, b.Transpose(0, 1).Contiguous(), bias).ToArray<double>());
    }

    [Fact]
    public void AllCloseHonoursTolerances()
    {
        using var scope = DisposeScope.Enter();
        var a = TestData.Tensor([1, 2], 2);
        Assert.True(a.AllClose(TestData.Tensor([1 + 1e-9, 2], 2)));
        Assert.False(a.AllClose(TestData.Tensor([1.1, 2], 2)));
        Assert.True(a.AllClose(TestData.Tensor([1.1, 2], 2), atol: 0.2));
    }
}
