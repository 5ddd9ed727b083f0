using PocketNet.Models.Complexity;
using PocketNet.Models.Registry;

namespace PocketNet.Models.Tests.MixFaceNets;

/// <summary>
/// Parameters and FLOPs of the six registry MixFaceNets against the published figures and the PyTorch build.
/// Published: the official README's table (github.com/fdbtrs/mixfacenets, "MFLOPs" and "Params (M)"), the same as
/// Table 1 of the paper (Boutros et al., IJCB 2021, arXiv 2107.13046): XS 161.9 MFLOPs and 1.04 M, S 451.7 and 3.07,
/// M 626.1 and 3.95; each ShuffleMixFaceNet equals its MixFaceNet (the shuffle has neither weights nor cost).
/// Those "FLOPs" are FLOPs, not MACs: the official count_model_flops runs with multiply_adds=True (2 per
/// multiply-add, plus batch norm 2, PReLU, sigmoid, Swish and adaptive pooling 1 per element), which our FlopCounter
/// reproduces; the MACs (multiply-adds of convolutions alone) are less than half: 76.6 M for XS.
/// Parameters counted as the official _calc_width does: only those requiring gradients (the embedding BN's frozen
/// scale, 512 values, is left out).
/// </summary>
public class MixFaceNetComplexityTests
{
    // The README prints MFLOPs cut to one decimal (XS measures 161.989 M with the official counter, printed 161.9).
    [Theory]
    [InlineData("mixfacenet-xs", 1.04, 161.9)]
    [InlineData("mixfacenet-s", 3.07, 451.7)]
    [InlineData("mixfacenet-m", 3.95, 626.1)]
    [InlineData("shufflemixfacenet-xs", 1.04, 161.9)]
    [InlineData("shufflemixfacenet-s", 3.07, 451.7)]
    [InlineData("shufflemixfacenet-m", 3.95, 626.1)]
    public void ParametersAndFlopsAreThePublishedFigures(string name, double millionParameters, double megaFlops)
    {
        using var network = ModelRegistry.Create(ModelRegistry.Resolve(name));
        NetworkCost cost = FlopCounter.Measure(network);
        Assert.Equal(millionParameters, Math.Round(network.ParameterCount() / 1e6, 2));
        Assert.Equal(megaFlops, Math.Floor(cost.Flops / 1e5) / 10);
        Assert.True(cost.Macs * 2 < cost.Flops, "the published FLOPs count 2 per multiply-add, so MACs are under half of them");
    }

    [Fact]
    public void ExactCountsEqualThePyTorchBuildOfTheOfficialWiring()
    {
        string[] names = ["mixfacenet-xs", "mixfacenet-s", "mixfacenet-m", "shufflemixfacenet-xs", "shufflemixfacenet-m"];
        var reference = MixFaceNetOracle.Measure(names);
        // Pinned from the official code itself (backbones/mixnetm.py with _calc_width and count_model_flops), so a
        // drift of the test's PyTorch build would show too.
        Assert.Equal(new MixFaceNetOracle.Counts(1_040_354, 1_040_866, 161_988_532, 76_561_120), reference["mixfacenet-xs"]);
        Assert.Equal(new MixFaceNetOracle.Counts(3_072_598, 3_073_110, 451_720_268, 218_141_424), reference["mixfacenet-s"]);
        Assert.Equal(new MixFaceNetOracle.Counts(3_952_534, 3_953_046, 626_139_948, 303_388_992), reference["mixfacenet-m"]);
        foreach (string name in names)
        {
            using var network = ModelRegistry.Create(ModelRegistry.Resolve(name));
            NetworkCost cost = FlopCounter.Measure(network);
            var ours = new MixFaceNetOracle.Counts(network.ParameterCount(), network.Parameters().Sum(p => p.NumEl), cost.Flops, cost.Macs);
            Assert.True(reference[name] == ours, $"{name}: PyTorch {reference[name]}, ours {ours}");
        }
    }
}
