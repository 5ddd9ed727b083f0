using System.Text.Json;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using PocketNet.Models.Registry;
using PocketNet.Portal.Components.Models;
using PocketNet.Portal.Store;

namespace PocketNet.Portal.Tests;

/// <summary>A MixFaceNet's model page describes the network and draws its stages as a table; other networks' pages do not.</summary>
public sealed class MixFaceNetArchitectureTests
{
    [Fact]
    public async Task ShuffleMixFaceNet_xs_page_lists_stem_four_stages_and_head_with_their_widths()
    {
        ModelConfig config = ModelRegistry.Resolve("shufflemixfacenet-xs");
        var model = new ModelRecord
        {
            Name = "shufflemixfacenet-xs-run-1", DisplayName = "ShuffleMixFaceNet-XS", Architecture = config.Architecture.ToString(),
            ConfigJson = JsonSerializer.Serialize(config, StoreJson.Options), EmbeddingSize = config.EmbeddingSize,
        };
        string html = await RenderAsync(model);

        Assert.Contains("ShuffleMixFaceNet-XS (Boutros et al. 2021)", html);
        Assert.Contains("a channel shuffle after every unit", html);
        foreach (string stage in new[] { "stem", "stage1", "stage2", "stage3", "stage4", "head" })
            Assert.Contains($"data-stage=\"{stage}\"", html);
        // width 0.5 of MixNet-S, rounded to multiples of 8: stage 4 goes from 40 to 104 channels and mixes 3x3 to 11x11
        Assert.Contains("40 → 104", html);
        Assert.Contains("3x3, 5x5, 7x7, 9x9, 11x11", html);
        Assert.Contains("104 → 512", html);
    }

    [Fact]
    public async Task Other_architectures_get_their_own_description_and_no_mixfacenet_stage_table()
    {
        ModelConfig config = ModelRegistry.Resolve("shufflefacenet-1.0x");
        var model = new ModelRecord
        {
            Name = "shufflefacenet-run-1", DisplayName = "ShuffleFaceNet 1.0x", Architecture = config.Architecture.ToString(),
            ConfigJson = JsonSerializer.Serialize(config, StoreJson.Options), EmbeddingSize = config.EmbeddingSize,
        };
        string html = await RenderAsync(model);
        Assert.Contains("ShuffleFaceNet 1.0x (Mart", html); // the name's accents are HTML-encoded
        Assert.DoesNotContain("mixfacenet-stages", html);
    }

    private static async Task<string> RenderAsync(ModelRecord model)
    {
        await using var services = new ServiceCollection().BuildServiceProvider();
        await using var renderer = new HtmlRenderer(services, NullLoggerFactory.Instance);
        return await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var parameters = ParameterView.FromDictionary(new Dictionary<string, object?> { ["Model"] = model });
            var output = await renderer.RenderComponentAsync<ArchitectureSection>(parameters);
            return output.ToHtmlString();
        });
    }
}
