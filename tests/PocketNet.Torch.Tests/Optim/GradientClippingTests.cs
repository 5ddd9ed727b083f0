using PocketNet.Torch.Optim;

namespace PocketNet.Torch.Tests.Optim;

public sealed class GradientClippingTests
{
    // Gradients with hand-computable norms: L2 5 and 12, so 13 together; L1 7 + 12; max 4 and 12.
    private static (Tensor A, Tensor B, Tensor NoGrad) Parameters()
    {
        Tensor a = Tensors.Zeros([2, 2], ScalarType.Float64).RequiresGradient();
        Tensor b = Tensors.Zeros([3], ScalarType.Float64).RequiresGradient();
        Tensor none = Tensors.Zeros([4], ScalarType.Float64).RequiresGradient();
        a.Grad = Tensors.FromArray([3.0, 0, 0, -4], 2, 2);  // L2 5, L1 7, max 4
        b.Grad = Tensors.FromArray([0.0, 12, 0]);           // L2 12, L1 12, max 12
        return (a, b, none);
    }

    [Fact]
    public void ScalesToTheMaximumAndReturnsThePreClipNorm()
    {
        using var scope = DisposeScope.Enter();
        var (a, b, none) = Parameters();
        double total = GradientClipping.ClipGradNorm([a, b, none], maxNorm: 6.5);
        Assert.Equal(13, total, 12); // sqrt(3^2 + 4^2 + 12^2)
        double c = 6.5 / (13 + 1e-6);
        AssertValues([3 * c, 0, 0, -4 * c], a.Grad!);
        AssertValues([0, 12 * c, 0], b.Grad!);
        Assert.Null(none.Grad);
    }

    [Fact]
    public void BelowTheThresholdNothingChanges()
    {
        using var scope = DisposeScope.Enter();
        var (a, b, _) = Parameters();
        Assert.Equal(13, GradientClipping.ClipGradNorm([a, b], maxNorm: 20), 12);
        Assert.Equal([3.0, 0, 0, -4], a.Grad!.ToArray<double>());
        Assert.Equal([0.0, 12, 0], b.Grad!.ToArray<double>());
    }

    [Fact]
    public void OtherNormTypes()
    {
        using var scope = DisposeScope.Enter();
        var (a, b, _) = Parameters();
        Assert.Equal(19, GradientClipping.ClipGradNorm([a, b], maxNorm: 100, normType: 1), 12);
        double max = GradientClipping.ClipGradNorm([a, b], maxNorm: 6, normType: double.PositiveInfinity);
        Assert.Equal(12, max, 12);
        double c = 6 / (12 + 1e-6);
        AssertValues([3 * c, 0, 0, -4 * c], a.Grad!);
        AssertValues([0, 12 * c, 0], b.Grad!);
    }

    [Fact]
    public void NoGradientsGivesZero()
    {
        using var scope = DisposeScope.Enter();
        Tensor p = Tensors.Ones([2]).RequiresGradient();
        Assert.Equal(0, GradientClipping.ClipGradNorm([p], 1));
    }

    private static void AssertValues(double[] expected, Tensor actual)
    {
        double[] values = actual.ToArray<double>();
        Assert.Equal(expected.Length, values.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], values[i], 12);
    }
}
