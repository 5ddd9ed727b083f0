using PocketNet.Application.Models;

namespace PocketNet.Portal.Tests;

/// <summary>
/// The recognition challenge's rules for a submitted ONNX model: every rule is checked, and a refusal names the file
/// and every rule that failed; a model that passes is timed.
/// </summary>
public sealed class SubmissionChecksTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_temp.Path, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static SubmissionRule Rule(SubmissionReport report, string startsWith) => Assert.Single(report.Rules, r => r.Rule.StartsWith(startsWith, StringComparison.Ordinal));

    [Fact]
    public void A_face_model_passes_every_rule_and_is_timed()
    {
        SubmissionReport report = SubmissionChecks.Check(Write("face.onnx", TinyOnnx.FaceModel), "face.onnx", 1 << 20, 512, latencyRuns: 3);
        Assert.True(report.Accepted, report.Refusal);
        Assert.Equal(4, report.Rules.Count); // file size, input, output, probe batch
        Assert.All(report.Rules, r => Assert.True(r.Passed, $"{r.Rule}: {r.Finding}"));
        Assert.NotNull(report.Latency);
        Assert.True(report.Latency!.MillisecondsPerImage > 0);
    }

    [Fact]
    public void Every_failed_rule_is_named_in_one_refusal()
    {
        // a fixed batch of 1, an output longer than the limit allows, and a file over its size limit, all at once
        string path = Write("bad.onnx", TinyOnnx.Crafted([1, 3, 112, 112], [1, 3]));
        SubmissionReport report = SubmissionChecks.Check(path, "bad.onnx", maxBytes: 10, maxEmbedding: 2, latencyRuns: 3);
        Assert.False(report.Accepted);
        Assert.False(Rule(report, "file size").Passed);
        Assert.Contains("fixed at 1", Rule(report, "one input").Finding);
        Assert.False(Rule(report, "one output").Passed);
        Assert.StartsWith("bad.onnx is refused: file size: ", report.Refusal);
        Assert.Contains("one input [N, 3, 112, 112] with a dynamic batch: ", report.Refusal);
        Assert.Contains("one output [N, E] with E at most 2: ", report.Refusal);
        Assert.Null(report.Latency);
    }

    [Fact]
    public void Bytes_that_are_no_onnx_graph_are_refused_as_such()
    {
        SubmissionReport report = SubmissionChecks.Check(Write("noise.onnx", [1, 2, 3, 4, 5, 6, 7]), "noise.onnx", 1 << 20, 512);
        Assert.False(report.Accepted);
        Assert.Contains("ONNX graph: 'noise.onnx' is not an ONNX model", report.Refusal);
        Assert.DoesNotContain(_temp.Path, report.Refusal); // the server's path stays on the server
    }

    public void Dispose() => _temp.Dispose();
}
