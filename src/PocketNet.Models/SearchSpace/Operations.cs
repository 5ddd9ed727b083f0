using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.SearchSpace;

/// <summary>Builds the module that implements a primitive on C channels at a stride.</summary>
public static class Operations
{
    /// <param name="affine">Whether batch norms learn a scale and shift (true in final networks, false in the search supernet).</param>
    public static Module<Tensor, Tensor> Create(Primitive primitive, long channels, int stride, bool affine) => primitive switch
    {
        Primitive.MaxPool3x3 => new PoolBatchNorm(max: true, channels, stride, affine),
        Primitive.AvgPool3x3 => new PoolBatchNorm(max: false, channels, stride, affine),
        Primitive.SkipConnect => stride == 1 ? new Identity() : new FactorizedReduce(channels, channels, affine),
        Primitive.None => new Zero(stride),
        _ => new DepthwiseSeparableConv(channels, channels, primitive.KernelSize(), stride, affine),
    };
}
