using PocketNet.Torch.Tests.Support;

namespace PocketNet.Torch.Tests.Ops;

public class TensorBasicsTests
{
    [Fact]
    public void RoundTripsEveryElementTypeThroughManagedArrays()
    {
        using var scope = DisposeScope.Enter();
        Assert.Equal(new[] { 1.5f, -2f }, Tensors.FromArray(new[] { 1.5f, -2f }).ToArray<float>());
        Assert.Equal(new[] { long.MaxValue, -3L }, Tensors.FromArray(new[] { long.MaxValue, -3L }).ToArray<long>());
        Assert.Equal(new[] { true, false, true }, Tensors.FromArray(new[] { true, false, true }).ToArray<bool>());
        Assert.Equal(new[] { Math.PI }, Tensors.FromArray(new[] { Math.PI }).ToArray<double>());
        var t = Tensors.FromArray(new float[6], 2, 3);
        Assert.Equal(new long[] { 2, 3 }, t.Shape);
        Assert.Equal(ScalarType.Float32, t.DType);
        Assert.Equal(Device.Cpu, t.Device);
        Assert.Equal(6, t.NumEl);
    }

    [Fact]
    public void RejectsDataThatDoesNotFillTheShape()
    {
        var error = Assert.Throws<ArgumentException>(() => Tensors.FromArray(new float[5], 2, 3));
        Assert.Contains("6 elements but 5", error.Message);
    }

    [Fact]
    public void RefusesToReadElementsAsTheWrongType()
    {
        using var scope = DisposeScope.Enter();
        var error = Assert.Throws<InvalidOperationException>(() => Tensors.Zeros([2]).ToArray<long>());
        Assert.Contains("Float32", error.Message);
    }

    [Fact]
    public void CreatesFilledAndRangeTensors()
    {
        using var scope = DisposeScope.Enter();
        Assert.Equal(new float[] { 7, 7, 7, 7 }, Tensors.Full([2, 2], 7).ToArray<float>());
        Assert.Equal(new long[] { 0, 0 }, Tensors.Zeros([2], ScalarType.Int64).ToArray<long>());
        Assert.Equal(new long[] { 2, 4, 6 }, Tensors.Arange(2, 8, 2).ToArray<long>());
        Assert.Equal(3.0, Tensors.Scalar(3).Item());
        Assert.Empty(Tensors.Scalar(3).Shape);
    }

    [Fact]
    public void ConvertsElementTypes()
    {
        using var scope = DisposeScope.Enter();
        var t = Tensors.FromArray(new[] { 1.7f, -2.2f });
        Assert.Equal(new long[] { 1, -2 }, t.To(ScalarType.Int64).ToArray<long>());
        Assert.Equal(new[] { true, true }, t.To(ScalarType.Bool).ToArray<bool>());
        Assert.Equal(ScalarType.Float64, t.To(ScalarType.Float64).DType);
    }

    [Fact]
    public void SeedingMakesRandomNumbersRepeatable()
    {
        using var scope = DisposeScope.Enter();
        Engine.ManualSeed(42);
        float[] first = Tensors.Randn([100]).ToArray<float>();
        Engine.ManualSeed(42);
        float[] second = Tensors.Randn([100]).ToArray<float>();
        Assert.Equal(first, second);
        float[] third = Tensors.Randn([100]).ToArray<float>();
        Assert.NotEqual(first, third);
    }

    [Fact]
    public void RandomDistributionsHaveTheirMoments()
    {
        using var scope = DisposeScope.Enter();
        Engine.ManualSeed(7);
        var normal = Tensors.Randn([200_000]);
        Assert.InRange(normal.Mean().Item(), -0.01, 0.01);
        Assert.InRange(normal.Std().Item(), 0.99, 1.01);
        var uniform = Tensors.Rand([200_000]);
        Assert.InRange(uniform.Min().Item(), 0, 0.001);
        Assert.InRange(uniform.Max().Item(), 0.999, 1);
        Assert.InRange(uniform.Mean().Item(), 0.495, 0.505);
        var shifted = Tensors.Empty([100_000]).NormalInPlace(3, 0.5);
        Assert.InRange(shifted.Mean().Item(), 2.99, 3.01);
        Assert.InRange(shifted.Std().Item(), 0.49, 0.51);
        var ints = Tensors.RandInt(3, 6, [1000]);
        Assert.Equal(3, ints.Min().Item());
        Assert.Equal(5, ints.Max().Item());
        var perm = Tensors.RandPerm(10).ToArray<long>();
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), perm.Order());
    }

    [Fact]
    public void DeviceParsingAcceptsTheUsualSpellings()
    {
        Assert.Equal(Device.Cpu, Device.Parse("cpu"));
        Assert.Equal(Device.Cuda(1), Device.Parse("CUDA:1"));
        Assert.Equal(Device.Cuda(0), Device.Parse("cuda"));
        Assert.Throws<ArgumentException>(() => Device.Parse("tpu"));
        Assert.Equal(Engine.CudaDeviceCount > 0 ? Device.Cuda(0) : Device.Cpu, Device.Parse("auto"));
    }
}
