using PocketNet.Models.Cells;
using PocketNet.Models.SearchSpace;

namespace PocketNet.Models.Tests;

public class ParameterCountTests
{
    [Theory]
    [InlineData(16, 18, 128, 925_632)]
    [InlineData(16, 18, 256, 991_424)]
    [InlineData(32, 9, 128, 1_686_656)]
    [InlineData(32, 9, 256, 1_752_448)]
    public void PocketNetVariantsHaveThePublishedParameterCounts(int channels, int cells, int embedding, long expected)
    {
        using var network = new CellNetwork(Genotype.PocketNet, channels, cells, embedding);
        Assert.Equal(expected, network.ParameterCount());
    }
}

public class FlopCountTests
{
    [Theory]
    [InlineData(16, 18, 128, 587.11)]
    [InlineData(16, 18, 256, 587.24)]
    [InlineData(32, 9, 128, 1099.02)]
    [InlineData(32, 9, 256, 1099.16)]
    public void PocketNetVariantsHaveThePublishedFlops(int channels, int cells, int embedding, double expectedMega)
    {
        using var network = new CellNetwork(Genotype.PocketNet, channels, cells, embedding);
        long flops = PocketNet.Models.Complexity.FlopCounter.Count(network);
        Assert.Equal(expectedMega, Math.Round(flops / 1e6, 2));
    }
}
