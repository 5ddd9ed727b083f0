using PocketNet.Application.Latency;
using PocketNet.Onnx.Analysis;
using PocketNet.Onnx.Runtime;

namespace PocketNet.Application.Models;

/// <summary>One rule of the submission checks, and what the file showed against it.</summary>
public sealed record SubmissionRule(string Rule, bool Passed, string Finding);

/// <summary>Every rule's verdict on an uploaded model; when every rule passed, its embedding length and its latency on this host.</summary>
public sealed record SubmissionReport(string File, IReadOnlyList<SubmissionRule> Rules, LatencyReport? Latency, int? EmbeddingSize = null)
{
    public bool Accepted => Rules.All(r => r.Passed);

    /// <summary>The refusal, naming the file and every rule that failed.</summary>
    public string Refusal =>
        $"{File} is refused: " + string.Join("; ", Rules.Where(r => !r.Passed).Select(r => $"{r.Rule}: {r.Finding}"));
}

/// <summary>
/// The checks InsightFace's recognition challenge applies to a submitted ONNX model, applied to an upload before it is
/// stored: the file's size; one input [N, 3, 112, 112] with a dynamic batch; one output [N, E] with E at most the
/// portal's limit; finite embeddings for a probe batch of two images. All rules are checked and reported together, so
/// a refused author fixes everything at once. A model that passes is timed on this host (LatencyBenchmark).
/// </summary>
public static class SubmissionChecks
{
    public const int ImageSize = 112;

    public static SubmissionReport Check(string path, string displayFile, long maxBytes, int maxEmbedding, int latencyRuns = 10)
    {
        var rules = new List<SubmissionRule>();
        long bytes = new FileInfo(path).Length;
        rules.Add(new("file size", bytes > 0 && bytes <= maxBytes, $"{bytes / 1e6:F1} MB (at most {maxBytes / 1e6:F0} MB)"));

        OnnxGraphInterface graph;
        try
        {
            graph = OnnxGraphInterface.Read(path);
        }
        catch (InvalidDataException e)
        {
            rules.Add(new("ONNX graph", false, e.Message.Replace(path, displayFile)));
            return new SubmissionReport(displayFile, rules, null);
        }
        rules.Add(InputRule(graph));
        rules.Add(OutputRule(graph, maxEmbedding));
        if (rules.Any(r => !r.Passed)) return new SubmissionReport(displayFile, rules, null);

        try
        {
            using OnnxEmbeddingModel model = OnnxEmbeddingModel.Open(path);
            rules.Add(ProbeRule(model));
            LatencyReport? latency = rules.All(r => r.Passed)
                ? LatencyBenchmark.Measure(model, displayFile, "onnx", Environment.ProcessorCount, latencyRuns, batchRuns: 0)
                : null;
            return new SubmissionReport(displayFile, rules, latency, model.Dimension);
        }
        catch (Exception e) when (e is OnnxRuntimeException or NotSupportedException or InvalidDataException)
        {
            rules.Add(new("runs in ONNX Runtime", false, e.Message.Replace(path, displayFile)));
            return new SubmissionReport(displayFile, rules, null);
        }
    }

    private static SubmissionRule InputRule(OnnxGraphInterface graph)
    {
        const string rule = "one input [N, 3, 112, 112] with a dynamic batch";
        if (graph.Inputs.Count != 1) return new(rule, false, $"{graph.Inputs.Count} inputs ({string.Join(", ", graph.Inputs)})");
        IReadOnlyList<long> shape = graph.Inputs[0].Shape;
        bool image = shape.Count == 4 && shape[1] == 3 && shape[2] == ImageSize && shape[3] == ImageSize;
        if (!image) return new(rule, false, $"input {graph.Inputs[0]}");
        return shape[0] < 0
            ? new(rule, true, $"input {graph.Inputs[0]}")
            : new(rule, false, $"input {graph.Inputs[0]}: the batch is fixed at {shape[0]}; export it with a dynamic first dimension");
    }

    private static SubmissionRule OutputRule(OnnxGraphInterface graph, int maxEmbedding)
    {
        string rule = $"one output [N, E] with E at most {maxEmbedding}";
        if (graph.Outputs.Count != 1) return new(rule, false, $"{graph.Outputs.Count} outputs ({string.Join(", ", graph.Outputs)})");
        IReadOnlyList<long> shape = graph.Outputs[0].Shape;
        bool ok = shape.Count == 2 && shape[1] > 0 && shape[1] <= maxEmbedding;
        return new(rule, ok, $"output {graph.Outputs[0]}");
    }

    // Two images: a graph whose batch is dynamic only on paper fails here, as does one that yields NaN or infinity.
    private static SubmissionRule ProbeRule(OnnxEmbeddingModel model)
    {
        const string rule = "finite embeddings for a probe batch of 2";
        var random = new Random(11);
        float[] images = Enumerable.Range(0, 2 * 3 * ImageSize * ImageSize).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var embeddings = new float[2 * model.Dimension];
        model.EmbedBatch(images, 2, ImageSize, flip: false, embeddings);
        int bad = embeddings.Count(v => !float.IsFinite(v));
        return new(rule, bad == 0, bad == 0 ? $"{model.Dimension} values per image, all finite" : $"{bad} of {embeddings.Length} values are NaN or infinite");
    }
}
