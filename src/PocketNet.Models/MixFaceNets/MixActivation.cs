using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.MixFaceNets;

/// <summary>The two activations MixFaceNets use: PReLU (one slope per channel) in the stem and first stage, Swish after.</summary>
public enum MixActivation
{
    PReLU,
    Swish,
}

internal static class MixActivations
{
    // The official get_activation_layer gives "prelu" one slope per channel of the layer it follows.
    public static Module<Tensor, Tensor> Create(MixActivation activation, long channels) => activation switch
    {
        MixActivation.PReLU => new PReLU(channels),
        MixActivation.Swish => new Swish(),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation"),
    };
}
