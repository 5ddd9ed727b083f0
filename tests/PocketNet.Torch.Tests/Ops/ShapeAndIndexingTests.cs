using PocketNet.Torch.Tests.Support;

namespace PocketNet.Torch.Tests.Ops;

public class ShapeAndIndexingTests
{
    // 2 x 3 x 4 tensor holding 0..23.
    private static Tensor Counting() => Tensors.Arange(0, 24, 1, ScalarType.Float32).Reshape(2, 3, 4);

    [Fact]
    public void ReshapeFlattenAndView()
    {
        using var scope = DisposeScope.Enter();
        var t = Counting();
        Assert.Equal(new long[] { 6, 4 }, t.Reshape(-1, 4).Shape);
        Assert.Equal(new long[] { 2, 12 }, t.Flatten(1).Shape);
        Assert.Equal(new long[] { 24 }, t.Flatten().Shape);
        Assert.Equal(new long[] { 4, 6 }, t.View(4, 6).Shape);
        Assert.Equal(Enumerable.Range(0, 24).Select(i => (float)i), t.Flatten().ToArray<float>());
    }

    [Fact]
    public void PermuteAndTransposeMoveElements()
    {
        using var scope = DisposeScope.Enter();
        var t = Counting();
        var p = t.Permute(2, 0, 1);
        Assert.Equal(new long[] { 4, 2, 3 }, p.Shape);
        Assert.False(p.IsContiguous);
        float[] values = p.ToArray<float>();
        // p[k, i, j] = t[i, j, k] = 12 i + 4 j + k
        for (int k = 0; k < 4; k++)
        for (int i = 0; i < 2; i++)
        for (int j = 0; j < 3; j++)
            Assert.Equal(12 * i + 4 * j + k, values[(k * 2 + i) * 3 + j]);
        Assert.Equal(new float[] { 0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11 }, t.Select(0, 0).Transpose(0, 1).ToArray<float>());
    }

    [Fact]
    public void NarrowSliceSelectShareStorage()
    {
        using var scope = DisposeScope.Enter();
        var t = Counting();
        Assert.Equal(new float[] { 4, 5, 6, 7, 8, 9, 10, 11 }, t.Select(0, 0).Narrow(0, 1, 2).ToArray<float>());
        Assert.Equal(new float[] { 1, 3, 5, 7, 9, 11 }, t.Select(0, 0).Slice(1, 1, 100, 2).ToArray<float>());
        t.Select(0, 1).Select(0, 2).Fill(-1); // a view writes through to its base
        Assert.Equal(new float[] { -1, -1, -1, -1 }, t.Flatten().Narrow(0, 20, 4).ToArray<float>());
    }

    [Fact]
    public void SqueezeUnsqueezeExpand()
    {
        using var scope = DisposeScope.Enter();
        var v = Tensors.FromArray(new float[] { 1, 2 });
        var u = v.Unsqueeze(0);
        Assert.Equal(new long[] { 1, 2 }, u.Shape);
        Assert.Equal(new long[] { 2 }, u.Squeeze().Shape);
        Assert.Equal(new long[] { 2 }, u.Squeeze(0).Shape);
        Assert.Equal(new float[] { 1, 2, 1, 2, 1, 2 }, u.Expand(3, 2).ToArray<float>());
    }

    [Fact]
    public void CatAndStack()
    {
        using var scope = DisposeScope.Enter();
        var a = Tensors.FromArray(new float[] { 1, 2 }, 1, 2);
        var b = Tensors.FromArray(new float[] { 3, 4 }, 1, 2);
        Assert.Equal(new float[] { 1, 2, 3, 4 }, Tensors.Cat([a, b], 0).ToArray<float>());
        Assert.Equal(new long[] { 1, 4 }, Tensors.Cat([a, b], 1).Shape);
        Assert.Equal(new float[] { 1, 2, 3, 4 }, Tensors.Cat([a, b], 1).ToArray<float>());
        Assert.Equal(new long[] { 2, 1, 2 }, Tensors.Stack([a, b]).Shape);
        Assert.Throws<ArgumentException>(() => Tensors.Cat([]));
    }

    [Fact]
    public void HorizontalFlipMirrorsTheWidth()
    {
        using var scope = DisposeScope.Enter();
        var image = Tensors.Arange(0, 6, 1, ScalarType.Float32).Reshape(1, 1, 2, 3);
        Assert.Equal(new float[] { 2, 1, 0, 5, 4, 3 }, image.FlipHorizontal().ToArray<float>());
        Assert.Equal(new float[] { 3, 4, 5, 0, 1, 2 }, image.Flip(2).ToArray<float>());
    }

    [Fact]
    public void ConstantPadAddsBeforeAndAfterTheLastDimensionsFirstAndCropsWithNegativeAmounts()
    {
        using var scope = DisposeScope.Enter();
        var image = Tensors.Arange(1, 5, 1, ScalarType.Float32).Reshape(1, 1, 2, 2); // [[1, 2], [3, 4]]
        // TensorFlow's "same" padding of a stride-2 3x3 conv on an even size: nothing before, one after.
        Tensor padded = image.ConstantPad([0, 1, 0, 1]);
        Assert.Equal(new long[] { 1, 1, 3, 3 }, padded.Shape);
        Assert.Equal(new float[] { 1, 2, 0, 3, 4, 0, 0, 0, 0 }, padded.ToArray<float>());
        Assert.Equal(new float[] { -1, 1, 2, -1, 3, 4 }, image.ConstantPad([1, 0], -1).ToArray<float>());
        Assert.Equal(new float[] { 2, 4 }, image.ConstantPad([-1, 0]).ToArray<float>());
        Assert.Throws<ArgumentException>(() => image.ConstantPad([1, 0, 1]));
    }

    [Fact]
    public void GatherScatterIndexSelectOneHot()
    {
        using var scope = DisposeScope.Enter();
        var logits = Tensors.FromArray(new float[] { 10, 11, 12, 20, 21, 22 }, 2, 3);
        var index = Tensors.FromArray(new long[] { 2, 0 }, 2, 1);
        Assert.Equal(new float[] { 12, 20 }, logits.Gather(1, index).ToArray<float>());
        var replaced = logits.Scatter(1, index, Tensors.FromArray(new float[] { -1, -2 }, 2, 1));
        Assert.Equal(new float[] { 10, 11, -1, -2, 21, 22 }, replaced.ToArray<float>());
        Assert.Equal(new float[] { 10, 11, 12, 20, 21, 22 }, logits.ToArray<float>()); // out of place
        Assert.Equal(new float[] { 10, 11, 0, 0, 21, 22 }, logits.Scatter(1, index, 0).ToArray<float>());
        Assert.Equal(new float[] { 20, 21, 22, 20, 21, 22 }, logits.IndexSelect(0, Tensors.FromArray(new long[] { 1, 1 })).ToArray<float>());
        Assert.Equal(new long[] { 0, 0, 1, 1, 0, 0 }, Tensors.FromArray(new long[] { 2, 0 }).OneHot(3).ToArray<long>());
        Assert.Equal(new float[] { 20, 21, 22 }, logits.MaskedSelect(logits.Gt(15)).ToArray<float>());
    }

    [Fact]
    public void MovingBetweenTypesAndClonesAreIndependent()
    {
        using var scope = DisposeScope.Enter();
        var a = Tensors.FromArray(new float[] { 1, 2 });
        var c = a.Clone();
        a.Fill(5);
        Assert.Equal(new float[] { 1, 2 }, c.ToArray<float>());
        var alias = a.Alias();
        alias.Fill(7);
        Assert.Equal(new float[] { 7, 7 }, a.ToArray<float>());
        var copy = Tensors.Zeros([2], ScalarType.Float64).CopyFrom(a);
        Assert.Equal(new[] { 7.0, 7.0 }, copy.ToArray<double>());
    }
}
