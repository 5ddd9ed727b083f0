using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.SearchSpace;

/// <summary>The "none" primitive: zeros shaped like the (strided) input; it carries no parameters.</summary>
public sealed class Zero(int stride) : Module<Tensor, Tensor>
{
    public int Stride { get; } = stride;

    public override Tensor Forward(Tensor input)
    {
        if (Stride == 1) return input * 0.0;
        using Tensor strided = input.Slice(2, 0, long.MaxValue, Stride).Slice(3, 0, long.MaxValue, Stride);
        return strided * 0.0;
    }
}
