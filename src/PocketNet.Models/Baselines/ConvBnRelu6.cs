using PocketNet.Torch.NN;

namespace PocketNet.Models.Baselines;

/// <summary>
/// MobileNetV2's conv -> BN -> ReLU6 unit. It is a bare <see cref="Sequential"/>, as the reference's is an
/// nn.Sequential subclass, so its keys are <c>prefix.0.weight</c> (conv) and <c>prefix.1.*</c> (BN).
/// </summary>
internal static class ConvBnRelu6
{
    public static Sequential Create(long inChannels, long outChannels, int kernelSize = 3, int stride = 1, long groups = 1) => new(
        new Conv2d(inChannels, outChannels, kernelSize, stride, padding: (kernelSize - 1) / 2, groups: groups, bias: false),
        new BatchNorm2d(outChannels),
        new ReLU6());
}
