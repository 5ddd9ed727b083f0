using PocketNet.Torch.NN;

namespace PocketNet.Torch.Tests.NN;

/// <summary>Conv2d with TensorFlow's "same" padding (ONNX's SAME_UPPER), as Keras-published networks need it.</summary>
public class SamePaddingTests
{
    [Theory]
    // size, kernel, stride -> (before, after)
    [InlineData(112, 3, 2, 0, 1)]  // even size, stride 2: the extra column goes at the end
    [InlineData(28, 5, 2, 1, 2)]
    [InlineData(7, 3, 2, 1, 1)]    // odd size: symmetric
    [InlineData(14, 5, 1, 2, 2)]   // stride 1 and an odd kernel: PyTorch's k/2
    [InlineData(4, 1, 1, 0, 0)]
    public void PadsAsTensorFlowDoes(int size, int kernel, int stride, int before, int after)
    {
        using var conv = new Conv2d(1, 1, kernel, stride, samePadding: true);
        Assert.Equal((before, after), conv.SamePads(size));
    }

    [Fact]
    public void AStrideTwoConvOnAnEvenSizeEqualsPaddingAtTheEndThenAnUnpaddedConv()
    {
        using var scope = DisposeScope.Enter();
        using var conv = new Conv2d(2, 3, 3, stride: 2, samePadding: true);
        Tensor input = Tensors.Randn([1, 2, 6, 6]);
        Tensor expected = Functional.Conv2d(input.ConstantPad([0, 1, 0, 1]), conv.Weight, conv.Bias, (2, 2), (0, 0), (1, 1), 1);
        Tensor actual = conv.Forward(input);
        Assert.Equal([1L, 3, 3, 3], actual.Shape);
        Assert.True((actual - expected).Abs().Max().Item() < 1e-6);
        // PyTorch's symmetric padding 1 samples another grid: the results differ.
        Tensor symmetric = Functional.Conv2d(input, conv.Weight, conv.Bias, (2, 2), (1, 1), (1, 1), 1);
        Assert.True((actual - symmetric).Abs().Max().Item() > 1e-3);
    }

    [Fact]
    public void SamePaddingAndAnExplicitPaddingTogetherAreRefused() =>
        Assert.Throws<ArgumentException>(() => new Conv2d(1, 1, 3, padding: 1, samePadding: true));
}
