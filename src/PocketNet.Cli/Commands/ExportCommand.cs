using PocketNet.Application.Models;
using PocketNet.Onnx.Export;
using PocketNet.Torch;

namespace PocketNet.Cli.Commands;

/// <summary>
/// `pocketnet export --model NAME_OR_DIR [--weights W] --out model.onnx [--opset 17] [--fixed-batch N]`: ONNX with a
/// dynamic batch dimension, batch norms folded into the convolutions, embedding size and input normalisation in the metadata.
/// </summary>
public sealed class ExportCommand : ICommand
{
    public string Name => "export";

    public string Summary => "export a model to ONNX (dynamic batch, batch norm folded) (--model M --weights W --out model.onnx)";

    public string Usage =>
        """
        pocketnet export --model NAME|DIR [--weights W] [--embedding E] --out model.onnx [--opset 17] [--fixed-batch N]
          --model              a registry name (with --weights) or a model folder
          --opset              ONNX opset, 13 to 21 (default 17)
          --fixed-batch        a fixed batch size instead of a dynamic one
        """;

    public int Run(string[] args, TextWriter output)
    {
        var a = new Arguments(Name, args);
        string model = a.Required("model", "a registry name (with --weights) or a model folder");
        string? weights = a.Optional("weights");
        int? embedding = a.OptionalInt("embedding");
        string path = a.Required("out", "the .onnx file to write");
        var defaults = new OnnxExportOptions();
        int opset = a.Int("opset", defaults.Opset, 13, 21);
        int? fixedBatch = a.OptionalInt("fixed-batch");
        a.EnsureAllUsed();

        using LoadedModel loaded = ModelLoader.Load(model, weights, Device.Cpu, embedding);
        var options = defaults with
        {
            Opset = opset,
            DynamicBatch = fixedBatch is null,
            BatchSize = fixedBatch ?? defaults.BatchSize,
        };
        OnnxExportResult result = OnnxExporter.Export(loaded.Network, loaded.Config, path, options);
        output.WriteLine($"wrote {path}: {result.Bytes / 1e6:F2} MB, opset {result.Opset}, {result.NodeCount} nodes " +
                         $"({string.Join(", ", result.Operators.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key} {kv.Value}"))}), " +
                         $"{result.FoldedBatchNorms} batch norms folded");
        return 0;
    }
}
