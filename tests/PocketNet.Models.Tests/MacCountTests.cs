using PocketNet.Models.Complexity;
using PocketNet.Models.Registry;
using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.Tests;

/// <summary>
/// MACs (multiply-accumulates of convolutions and linear layers) beside the paper's FLOPs: hand-counted on a small
/// network, and against the figures arcface_torch's README publishes for its iResNets (labelled "FLOPs" there, but
/// they are MACs: half of our FLOPs).
/// </summary>
public class MacCountTests
{
    [Fact]
    public void ASmallNetworkHasItsHandCountedMacsAndFlops()
    {
        // conv 3->4, 3x3, stride 1, pad 1 on 6x6: 3*3*3 MACs for each of 4*6*6 outputs = 3,888; depthwise 4, 3x3: 9 per
        // each of 4*6*6 outputs = 1,296; linear 144->5: 720. FLOPs: 2 per MAC, plus the bias of the linear layer (5)
        // and the batch norm (2 per element, 144) and PReLU (1 per element, 144) the MACs leave out.
        using var network = new Sequential(
            new Conv2d(3, 4, 3, padding: 1, bias: false), new BatchNorm2d(4), new PReLU(4),
            new Conv2d(4, 4, 3, padding: 1, groups: 4, bias: false), new Flatten(), new Linear(4 * 6 * 6, 5));
        NetworkCost cost = FlopCounter.Measure(network, 6, 6);
        Assert.Equal(3_888 + 1_296 + 720, cost.Macs);
        Assert.Equal(2 * (3_888 + 1_296 + 720) + 5 + 2 * 144 + 144, cost.Flops);
    }

    [Theory]
    [InlineData("iresnet50", 6.3)]   // arcface_torch README: r50 6.3 G
    [InlineData("iresnet100", 12.1)] // arcface_torch README: r100 12.1 G
    public void IResNetsHaveTheMacsArcfaceTorchPublishes(string name, double publishedGiga)
    {
        using Module<Tensor, Tensor> network = ModelRegistry.Create(ModelRegistry.Resolve(name));
        Assert.Equal(publishedGiga, Math.Round(FlopCounter.Measure(network).Macs / 1e9, 1));
    }

    [Fact]
    public void PocketNetS128CostsAboutHalfItsFlopsInMacs()
    {
        using Module<Tensor, Tensor> network = ModelRegistry.Create(ModelRegistry.Resolve("pocketnet-s-128"));
        NetworkCost cost = FlopCounter.Measure(network);
        Assert.Equal(587.11, Math.Round(cost.MegaFlops, 2)); // the paper's figure
        Assert.Equal(283.54, Math.Round(cost.MegaMacs, 2));  // our count; the paper publishes FLOPs only
    }
}
