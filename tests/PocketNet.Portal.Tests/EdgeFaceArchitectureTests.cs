using System.Text.Json;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using PocketNet.Models.EdgeFace;
using PocketNet.Models.Registry;
using PocketNet.Portal.Components.Models;
using PocketNet.Portal.Store;

namespace PocketNet.Portal.Tests;

/// <summary>An EdgeFace's model page draws its stages from the stored configuration.</summary>
public sealed class EdgeFaceArchitectureTests
{
    [Fact]
    public void A_stored_edgeface_configuration_reads_back_with_its_variant()
    {
        ModelConfig config = ModelRegistry.Resolve("edgeface-xs");
        var model = new ModelRecord
        {
            Name = "edgeface-xs", DisplayName = "EdgeFace-XS", Architecture = "EdgeFace", Origin = ModelOrigin.Trained,
            ConfigJson = JsonSerializer.Serialize(config, StoreJson.Options),
        };
        ModelArchitecture architecture = ModelArchitecture.Of(model);
        Assert.Null(architecture.Problem);
        Assert.Equal(EdgeFaceVariant.ExtraSmall, architecture.Config!.EdgeFace);
        Assert.Contains("\"rank_ratio\":0.6", model.ConfigJson);
    }

    [Fact]
    public async Task The_stage_table_shows_every_stage_with_its_encoders()
    {
        string html = await RenderAsync(EdgeFaceVariant.ExtraSmall, 512);

        Assert.Contains("LoRaLin, rank = max(2, ⌊0.6 · min(in, out)⌋)", html);
        foreach (string stage in new[] { "stem", "0", "1", "2", "3", "head" })
            Assert.Contains($"data-stage=\"{stage}\"", html);
        Assert.Contains("3 conv encoders (3×3 depthwise", html);   // stage 0: three conv encoders, no attention
        Assert.Contains("8 conv encoders (7×7 depthwise", html);   // stage 2: nine blocks, the last an SDTA encoder
        Assert.Contains("1 SDTA encoder (2 channel groups, 4-head transposed attention, positional encoding)", html); // stage 1
        Assert.Contains("1 SDTA encoder (4 channel groups, 4-head transposed attention)", html); // stage 3
        Assert.Contains("<td class=\"num\">3×3</td>", html);
    }

    private static async Task<string> RenderAsync(EdgeFaceVariant variant, int embeddingSize)
    {
        await using var services = new ServiceCollection().BuildServiceProvider();
        await using var renderer = new HtmlRenderer(services, NullLoggerFactory.Instance);
        return await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var parameters = ParameterView.FromDictionary(new Dictionary<string, object?> { ["Variant"] = variant, ["EmbeddingSize"] = embeddingSize });
            var output = await renderer.RenderComponentAsync<EdgeFaceStages>(parameters);
            return System.Net.WebUtility.HtmlDecode(output.ToHtmlString()); // the renderer escapes ×, ⌊ and ⌋
        });
    }
}
