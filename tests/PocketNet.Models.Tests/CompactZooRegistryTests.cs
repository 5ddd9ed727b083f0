using System.Text.Json;
using PocketNet.Models.Registry;

namespace PocketNet.Models.Tests;

/// <summary>The registry entries of MixFaceNets (and ShuffleFaceNet beside them) survive the model folder's config.json and rebuild.</summary>
public class CompactZooRegistryTests
{
    private static readonly JsonSerializerOptions ConfigJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    [Theory]
    [InlineData("mixfacenet-xs", "\"mix_face_net_size\":\"XS\"")]
    [InlineData("shufflemixfacenet-m", "\"architecture\":\"ShuffleMixFaceNet\"")]
    [InlineData("shufflefacenet-1.5x", "\"width\":1.5")]
    public void ConfigRoundTripsThroughJsonAndRebuildsTheSameNetwork(string name, string fragment)
    {
        ModelConfig config = ModelRegistry.Resolve(name);
        string json = JsonSerializer.Serialize(config, ConfigJson);
        Assert.Contains(fragment, json);
        ModelConfig read = JsonSerializer.Deserialize<ModelConfig>(json, ConfigJson)!;
        Assert.Equal(config, read);
        using var original = ModelRegistry.Create(config);
        using var rebuilt = ModelRegistry.Create(read);
        Assert.Equal(original.StateDict().Select(kv => kv.Key), rebuilt.StateDict().Select(kv => kv.Key));
    }

    [Fact]
    public void AConfigWithoutItsSizeIsRefusedNamingTheField()
    {
        var config = new ModelConfig { Architecture = Architecture.MixFaceNet, EmbeddingSize = 512 };
        var error = Assert.Throws<ArgumentException>(() => ModelRegistry.Create(config));
        Assert.Contains("mix_face_net_size", error.Message);
    }
}
