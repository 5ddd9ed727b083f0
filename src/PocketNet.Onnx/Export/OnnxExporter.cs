using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Google.Protobuf;
using PocketNet.Models.Baselines;
using PocketNet.Models.Cells;
using PocketNet.Models.EdgeFace;
using PocketNet.Models.GhostFaceNets;
using PocketNet.Models.MixFaceNets;
using PocketNet.Models.Registry;
using PocketNet.Models.ShuffleFaceNets;
using PocketNet.Onnx.Export.Emitters;
using PocketNet.Onnx.Export.Graph;
using PocketNet.Torch;
using PocketNet.Torch.NN;
using OnnxProto = global::Onnx;

namespace PocketNet.Onnx.Export;

/// <summary>
/// Writes a registry network (a cell network of any genotype, MobileFaceNet, iResNet, EdgeFace) as a self-contained
/// ONNX model of its eval-mode forward: input "input" [batch, 3, 112, 112] float (RGB, normalised as
/// <see cref="InputNormalization"/>), output "embedding" [batch, E]. The graph is written by walking the
/// module tree with one emitter per module type (<see cref="ModuleEmitters"/>), batch norms folded into the
/// preceding convolution where there is one. Weights are read, never changed.
/// </summary>
public static class OnnxExporter
{
    public const string Producer = "PocketNet Portal";
    public const string InputName = "input";
    public const string OutputName = "embedding";
    public const string BatchDimension = "batch";
    public const int ImageSize = 112;

    /// <summary>How pixels become the input: 8-bit RGB x to (x / 255 - 0.5) / 0.5, i.e. [-1, 1].</summary>
    public const string InputNormalization = "(x/255-0.5)/0.5 RGB";

    private static readonly JsonSerializerOptions ConfigJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Exports to <paramref name="path"/> (written to a temporary file, then moved into place).</summary>
    public static OnnxExportResult Export(Module<Tensor, Tensor> network, ModelConfig config, string path, OnnxExportOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var (model, result) = Build(network, config, options ?? new OnnxExportOptions());
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temporary = full + ".tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
                model.WriteTo(stream);
            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
        return result with { Path = full };
    }

    /// <summary>Exports to a stream (a zip entry, an HTTP response).</summary>
    public static OnnxExportResult Export(Module<Tensor, Tensor> network, ModelConfig config, Stream destination, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var (model, result) = Build(network, config, options ?? new OnnxExportOptions());
        model.WriteTo(destination);
        return result;
    }

    internal static (OnnxProto.ModelProto Model, OnnxExportResult Result) Build(Module<Tensor, Tensor> network, ModelConfig config, OnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(config);
        if (options.Opset is < OnnxExportOptions.MinimumOpset or > OnnxExportOptions.MaximumOpset)
            throw new ArgumentOutOfRangeException(nameof(options), options.Opset,
                $"opset must be {OnnxExportOptions.MinimumOpset} to {OnnxExportOptions.MaximumOpset}");
        if (!options.DynamicBatch && options.BatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, "a fixed batch size must be at least 1");
        CheckConfigDescribes(network, config);

        var graph = new OnnxGraph(InputName, inputRank: 4);
        string reservedOutput = graph.UniqueName(OutputName);
        string output;
        using (Engine.NoGrad())
            output = new EmitContext(graph, ModuleEmitters.Default).Emit(network, "", InputName);
        if (output == InputName) throw new NotSupportedException("the network is the identity; there is nothing to export");
        if (graph.MinimumOpset > options.Opset)
            throw new ArgumentException($"{config.DisplayName} needs opset {graph.MinimumOpset} or later ({graph.MinimumOpsetReason}), not {options.Opset}", nameof(options));
        graph.OutputName = output;
        int folded = BatchNormFolding.Apply(graph, options.FoldBatchNorm);
        RenameOutput(graph, output, reservedOutput);

        string modelName = options.ModelName ?? config.DisplayName;
        var metadata = Metadata(network, config, modelName, options);
        long? batch = options.DynamicBatch ? null : options.BatchSize;
        OnnxProto.ModelProto model = OnnxModelWriter.Write(graph, modelName, options.Opset, BatchDimension,
            [batch, 3, ImageSize, ImageSize], [batch, config.EmbeddingSize], reservedOutput, ProducerVersion(),
            $"{modelName}: face embedding network exported by {Producer}", metadata);

        var operators = graph.Nodes.GroupBy(n => n.OpType).OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return (model, new OnnxExportResult(null, model.CalculateSize(), options.Opset, model.Graph.Node.Count,
            model.Graph.Initializer.Count, operators, folded, metadata.ToDictionary(StringComparer.Ordinal)));
    }

    // The graph output gets its published name; nothing reads it inside the graph.
    private static void RenameOutput(OnnxGraph graph, string from, string to)
    {
        foreach (GraphNode node in graph.Nodes)
        {
            if (node.Inputs.Contains(from))
                throw new InvalidOperationException($"the network's output '{from}' is also read inside the graph");
            for (int i = 0; i < node.Outputs.Count; i++)
                if (node.Outputs[i] == from) node.Outputs[i] = to;
        }
        graph.OutputName = to;
    }

    private static List<KeyValuePair<string, string>> Metadata(Module<Tensor, Tensor> network, ModelConfig config, string modelName, OnnxExportOptions options)
    {
        var metadata = new List<KeyValuePair<string, string>>
        {
            new(OnnxMetadataKeys.ModelName, modelName),
            new(OnnxMetadataKeys.Architecture, config.Architecture.ToString()),
            new(OnnxMetadataKeys.EmbeddingSize, config.EmbeddingSize.ToString(CultureInfo.InvariantCulture)),
            new(OnnxMetadataKeys.InputNormalization, InputNormalization),
            new(OnnxMetadataKeys.InputLayout, $"NCHW float32 [{BatchDimension}, 3, {ImageSize}, {ImageSize}] RGB"),
            new(OnnxMetadataKeys.Parameters, network.ParameterCount().ToString(CultureInfo.InvariantCulture)),
            new(OnnxMetadataKeys.Producer, Producer),
            new(OnnxMetadataKeys.ModelConfig, JsonSerializer.Serialize(config, ConfigJson)),
        };
        if (config.Genotype is { } genotype) metadata.Add(new(OnnxMetadataKeys.Genotype, genotype));
        foreach (var (key, value) in options.Metadata ?? new Dictionary<string, string>())
        {
            if (metadata.Any(m => m.Key == key))
                throw new ArgumentException($"metadata key '{key}' is written by the exporter itself", nameof(options));
            metadata.Add(new(key, value));
        }
        return metadata;
    }

    // The metadata and output shape come from the config, so it must describe this very network.
    private static void CheckConfigDescribes(Module<Tensor, Tensor> network, ModelConfig config)
    {
        (Architecture expected, int embedding, string? mismatch) = network switch
        {
            CellNetwork cells => (Architecture.CellNetwork, cells.EmbeddingSize,
                config.Channels != cells.Channels || config.Cells != cells.CellCount
                    || config.Genotype is null || !config.ParsedGenotype().Equals(cells.Genotype)
                    ? "its channels, cells or genotype differ from the network's" : null),
            MobileFaceNet mobile => (Architecture.MobileFaceNet, mobile.EmbeddingSize, null),
            IResNet resnet => (Architecture.IResNet, resnet.EmbeddingSize,
                config.Depth is not { } depth || !IResNet.BlocksOf(depth).SequenceEqual(resnet.BlocksPerStage)
                    ? "its depth differs from the network's" : null),
            GhostFaceNetV1 ghost => (Architecture.GhostFaceNetV1, ghost.EmbeddingSize,
                config.Width != ghost.Width || config.StemStride != ghost.StemStride ? "its width or stem stride differs from the network's" : null),
            ShuffleFaceNet shuffle => (Architecture.ShuffleFaceNet, shuffle.EmbeddingSize,
                config.Width != shuffle.Complexity ? "its complexity differs from the network's" : null),
            EdgeFaceNetwork edgeFace => (Architecture.EdgeFace, edgeFace.EmbeddingSize,
                !edgeFace.Variant.Equals(config.EdgeFace) ? "its EdgeFace variant differs from the network's" : null),
            MixFaceNet mix => (mix.Shuffle ? Architecture.ShuffleMixFaceNet : Architecture.MixFaceNet, mix.EmbeddingSize,
                config.MixFaceNetSize != mix.Size ? "its MixFaceNet size differs from the network's" : null),
            _ => throw new NotSupportedException(
                $"ONNX export takes the registry's networks (CellNetwork, MobileFaceNet, IResNet, GhostFaceNetV1, ShuffleFaceNet, EdgeFace, MixFaceNet), not {network.GetType().Name}"),
        };
        if (config.Architecture != expected)
            throw new ArgumentException($"the config describes a {config.Architecture}, but the network is a {network.GetType().Name}", nameof(config));
        if (config.EmbeddingSize != embedding)
            throw new ArgumentException($"the config says embedding size {config.EmbeddingSize}, but the network produces {embedding}", nameof(config));
        if (mismatch is not null) throw new ArgumentException($"the config does not describe the network: {mismatch}", nameof(config));
    }

    private static string ProducerVersion() =>
        typeof(OnnxExporter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "0";
}
