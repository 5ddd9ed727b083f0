using System.Net;
using System.Net.Http.Json;
using PocketNet.Onnx.Analysis;
using PocketNet.Portal.Tests.Support;

namespace PocketNet.Portal.Tests;

/// <summary>Every size a request or a file sets is bounded, and a number too large for its type is a 400 naming the field, not a 500.</summary>
[Collection(IdlePortalCollection.Name)]
public sealed class BoundedRequestTests(IdlePortal idle)
{
    [Fact]
    public async Task A_genotype_network_of_a_million_cells_is_refused_not_queued()
    {
        HttpResponseMessage response = await idle.Admin.PostAsJsonAsync("/api/runs", TinyRuns.Training() with { Cells = 1_000_000 });
        await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "cells", "4..64");
    }

    [Theory]
    [InlineData("range(2, 99999999999)")]
    [InlineData("[2, 3, 4, 99999999999]")]
    public async Task A_concat_too_large_for_any_cell_is_a_400_naming_the_genotype(string concat)
    {
        string genotype = TinyRuns.Genotype.Replace("normal_concat=range(2, 6)", $"normal_concat={concat}", StringComparison.Ordinal);
        Assert.NotEqual(TinyRuns.Genotype, genotype);
        HttpResponseMessage response = await idle.Admin.PostAsJsonAsync("/api/runs", TinyRuns.Training() with { Genotype = genotype });
        await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "genotype", "out of range");
    }

    [Fact]
    public async Task An_edge_input_too_large_for_an_int_is_a_400()
    {
        string genotype = TinyRuns.Genotype.Replace("('dw_conv_1x1', 1)", "('dw_conv_1x1', 123456789012)", StringComparison.Ordinal);
        Assert.NotEqual(TinyRuns.Genotype, genotype);
        HttpResponseMessage response = await idle.Admin.PostAsJsonAsync("/api/runs", TinyRuns.Training() with { Genotype = genotype });
        await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "genotype");
    }

    [Fact]
    public async Task A_run_name_or_a_benchmark_list_longer_than_anything_it_names_is_refused()
    {
        HttpResponseMessage longName = await idle.Admin.PostAsJsonAsync("/api/runs", TinyRuns.Training() with { Name = new string('n', 10_000) });
        await Problems.AssertAsync(longName, HttpStatusCode.BadRequest, "name", "120 characters");
        HttpResponseMessage repeated = await idle.Admin.PostAsJsonAsync("/api/runs", TinyRuns.Training(benchmarks: [.. Enumerable.Repeat("synth_lfw", 1000)]));
        await Problems.AssertAsync(repeated, HttpStatusCode.BadRequest, "benchmarks", "listed twice");
    }

    [Fact]
    public void An_onnx_initializer_whose_dimensions_overflow_is_refused_not_counted()
    {
        using var folder = new TempDirectory();
        string path = Path.Combine(folder.Path, "huge.onnx");
        File.WriteAllBytes(path, TinyOnnx.WithInitializer("huge", 1L << 31, 1L << 31, 4));
        InvalidDataException refused = Assert.Throws<InvalidDataException>(() => OnnxGraphAnalysis.Analyze(path));
        Assert.Contains("'huge'", refused.Message);
        Assert.Contains("overflow", refused.Message);

        // Small dimensions still count.
        File.WriteAllBytes(path, TinyOnnx.WithInitializer("small", 2, 3, 4));
        Assert.Equal(24, OnnxGraphAnalysis.Analyze(path).Parameters);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void A_generated_admin_password_file_is_owner_only_and_an_existing_looser_one_is_tightened()
    {
        const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var fresh = new PortalFactory { Settings = { ["Portal:AdminPassword"] = "" } })
        {
            fresh.CreateClient().Dispose();
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(Path.Combine(fresh.Home, "admin-password")));
        }

        using var home = new TempDirectory();
        string file = Path.Combine(home.Path, "admin-password");
        File.WriteAllText(file, "restored-by-hand-7c1e9\n");
        File.SetUnixFileMode(file, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        using var restored = new PortalFactory(home.Path) { Settings = { ["Portal:AdminPassword"] = "" } };
        restored.CreateClient().Dispose();
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(file));
        Assert.Equal("restored-by-hand-7c1e9\n", File.ReadAllText(file));
    }
}
