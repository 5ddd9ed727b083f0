using System.Text.Json;
using PocketNet.Application.Quantization;
using PocketNet.Application.Training;
using PocketNet.Onnx.Quantization;
using PocketNet.Training.Progress;

namespace PocketNet.Cli.Commands;

/// <summary>
/// `pocketnet quantize --model DIR|M.onnx --calibration FORMAT:PATH [--images N] --out M-int8.onnx`: static int8
/// quantisation of the exported graph (QDQ), activations calibrated on N training images.
/// </summary>
public sealed class QuantizeCommand : ICommand
{
    public string Name => "quantize";

    public string Summary => "quantise a model's ONNX graph to int8 (QDQ), calibrated on training images (--model M --calibration FORMAT:PATH --out M-int8.onnx)";

    public string Usage =>
        $"""
        pocketnet quantize --model DIR|M.onnx|NAME [--weights W] --calibration FORMAT:PATH [--images {QuantizeRequest.DefaultImages}] --out M-int8.onnx [--json]
          --model              a model folder (its model.onnx, exported first when it has none), an .onnx file,
                               or a registry name with --weights
          --calibration        the training images that calibrate the activations: recordio:DIR (train.rec + train.idx)
                               or folder:DIR (one sub-folder per identity)
          --images             calibration images, spread evenly over the set (default {QuantizeRequest.DefaultImages})
          --out                the int8 model: per-channel symmetric int8 weights, uint8 activations (min/max),
                               QuantizeLinear/DequantizeLinear pairs that ONNX Runtime fuses into integer kernels
          --json               print the result as JSON
        Evaluate the result like any ONNX model: pocketnet eval --model M-int8.onnx ...
        """;

    public int Run(string[] args, TextWriter output)
    {
        var a = new Arguments(Name, args);
        string model = a.Required("model", "a model folder, an .onnx file or a registry name");
        string? weights = a.Optional("weights");
        var calibration = DataSourceParser.Parse(a.Required("calibration", "FORMAT:PATH of the calibration images"));
        int images = a.Int("images", QuantizeRequest.DefaultImages, 1, QuantizeRequest.MaxImages);
        string path = a.Required("out", "the int8 .onnx file to write");
        bool json = a.Flag("json");
        a.EnsureAllUsed();

        QuantizationResult result = ModelQuantization.Quantize(new QuantizeRequest(model, weights, calibration, images, path));
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(new { output = Path.GetFullPath(path), scheme = QuantizationResult.Scheme, result }, EventLog.IndentedJsonOptions));
            return 0;
        }
        output.WriteLine($"wrote {path}: {result.QuantizedBytes / 1e6:F2} MB (float {result.FloatBytes / 1e6:F2} MB), calibrated on {result.CalibrationImages} images of {calibration}");
        output.WriteLine($"  {QuantizationResult.Scheme}");
        output.WriteLine($"  quantised: {string.Join(", ", result.QuantizedOperators.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key} {kv.Value}"))}; " +
                         $"{result.QuantizedTensors} activation tensors");
        return 0;
    }
}
