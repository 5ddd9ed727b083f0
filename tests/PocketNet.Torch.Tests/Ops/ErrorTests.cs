using PocketNet.Torch.NN;

namespace PocketNet.Torch.Tests.Ops;

public class ErrorTests
{
    [Fact]
    public void ShapeMismatchBecomesATorchExceptionWithLibtorchsMessage()
    {
        using var scope = DisposeScope.Enter();
        var error = Assert.Throws<TorchException>(() => Tensors.Zeros([2, 3]) + Tensors.Zeros([4]));
        Assert.Contains("must match the size", error.Message);
        var mm = Assert.Throws<TorchException>(() => Tensors.Zeros([2, 3]).MatMul(Tensors.Zeros([2, 3])));
        Assert.Contains("cannot be multiplied", mm.Message);
    }

    [Fact]
    public void ConvolutionWithTheWrongChannelCountIsExplained()
    {
        using var scope = DisposeScope.Enter();
        using var conv = new Conv2d(3, 8, 3);
        var error = Assert.Throws<TorchException>(() => conv.Forward(Tensors.Zeros([1, 4, 8, 8])));
        Assert.Contains("expected input[1, 4, 8, 8] to have 3 channels", error.Message);
    }

    [Fact]
    public void WrongElementTypeIsReported()
    {
        using var scope = DisposeScope.Enter();
        var logits = Tensors.Zeros([2, 3]);
        var floatTargets = Tensors.Zeros([2]);
        var error = Assert.Throws<TorchException>(() => Functional.CrossEntropy(logits, floatTargets));
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
        Assert.Throws<TorchException>(() => Tensors.Zeros([2]).Gather(0, Tensors.Zeros([1])));
    }

    [Fact]
    public void ErrorsDoNotLeakIntoLaterCalls()
    {
        using var scope = DisposeScope.Enter();
        Assert.Throws<TorchException>(() => Tensors.Zeros([2]).View(3));
        var fine = Tensors.Zeros([2]) + 1;
        Assert.Equal(new float[] { 1, 1 }, fine.ToArray<float>());
        Assert.Null(Tensors.Zeros([2]).Grad);
    }

    [Fact]
    public void BackwardOfANonScalarWithoutGradientIsRefused()
    {
        using var scope = DisposeScope.Enter();
        var w = Tensors.Ones([3]).RequiresGradient();
        var error = Assert.Throws<TorchException>(() => (w * 2).Backward());
        Assert.Contains("scalar", error.Message);
    }

    [Fact]
    public void UsingADisposedTensorIsAnObjectDisposedException()
    {
        var t = Tensors.Zeros([1]);
        t.Dispose();
        t.Dispose(); // twice is harmless
        Assert.Throws<ObjectDisposedException>(() => t.Shape);
    }

    [Fact]
    public void LoadingAStateDictWithWrongKeysOrShapesNamesThem()
    {
        using var scope = DisposeScope.Enter();
        using var linear = new Linear(4, 2);
        var wrongKey = new Dictionary<string, Tensor> { ["weight"] = Tensors.Zeros([2, 4]), ["bais"] = Tensors.Zeros([2]) };
        var mismatch = Assert.Throws<StateDictMismatchException>(() => linear.LoadStateDict(wrongKey));
        Assert.Contains("missing keys: bias", mismatch.Message);
        Assert.Contains("unexpected keys: bais", mismatch.Message);
        var wrongShape = new Dictionary<string, Tensor> { ["weight"] = Tensors.Zeros([4, 2]), ["bias"] = Tensors.Zeros([2]) };
        var shape = Assert.Throws<ArgumentException>(() => linear.LoadStateDict(wrongShape));
        Assert.Contains("'weight' has shape [4, 2]", shape.Message);
    }
}
