using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.MixFaceNets;

/// <summary>
/// MixConv (Tan and Le 2019): the channels split into as many groups as there are kernel sizes, each group convolved
/// with its own kernel, the results concatenated. Groups are equal but for the first, which takes the remainder, as
/// the official split_channels does. Depthwise when asked (each group's conv has one filter per channel), else
/// pointwise-style dense groups. Children are the group convolutions, named "0", "1", ... (the official keys).
/// </summary>
public sealed class MixConv : Module<Tensor, Tensor>
{
    private readonly Conv2d[] _convolutions;
    private readonly long[] _inSplit;

    public MixConv(long inChannels, long outChannels, IReadOnlyList<int> kernelSizes, int stride, bool depthwise)
    {
        if (kernelSizes.Count == 0) throw new ArgumentException("MixConv needs at least one kernel size", nameof(kernelSizes));
        if (depthwise && inChannels != outChannels)
            throw new ArgumentException($"a depthwise MixConv keeps its width, not {inChannels} -> {outChannels}");
        KernelSizes = kernelSizes.ToArray();
        _inSplit = Split(inChannels, kernelSizes.Count);
        long[] outSplit = Split(outChannels, kernelSizes.Count);
        _convolutions = new Conv2d[kernelSizes.Count];
        for (int i = 0; i < kernelSizes.Count; i++)
        {
            int k = kernelSizes[i];
            if (k % 2 == 0) throw new ArgumentException($"MixConv kernels are odd (same padding), not {k}", nameof(kernelSizes));
            _convolutions[i] = RegisterModule(i.ToString(), new Conv2d(_inSplit[i], outSplit[i], k, stride, padding: k / 2,
                groups: depthwise ? outSplit[i] : 1, bias: false));
        }
    }

    public IReadOnlyList<int> KernelSizes { get; }

    /// <summary>Channels per group: equal shares, the first taking what the division leaves over.</summary>
    public static long[] Split(long channels, int groups)
    {
        var split = Enumerable.Repeat(channels / groups, groups).ToArray();
        split[0] += channels - split.Sum();
        return split;
    }

    /// <summary>Input channels of each group, in order (for export, which slices the same way).</summary>
    public IReadOnlyList<long> InputSplit => _inSplit;

    public override Tensor Forward(Tensor input)
    {
        if (_convolutions.Length == 1) return _convolutions[0].Forward(input);
        using var scope = DisposeScope.Enter();
        var outputs = new Tensor[_convolutions.Length];
        long start = 0;
        for (int i = 0; i < _convolutions.Length; i++)
        {
            outputs[i] = _convolutions[i].Forward(input.Narrow(1, start, _inSplit[i]));
            start += _inSplit[i];
        }
        return Tensors.Cat(outputs, 1).MoveToOuterScope();
    }
}
