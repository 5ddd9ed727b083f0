using PocketNet.Application.Models;
using PocketNet.Application.Training;
using PocketNet.Data.Training;
using PocketNet.Onnx.Export;
using PocketNet.Onnx.Quantization;
using PocketNet.Torch;
using PocketNet.Training.Recognition;

namespace PocketNet.Application.Quantization;

/// <summary>
/// One int8 quantisation: the float model (an .onnx file, a model folder, or a registry name with weights), the
/// training set whose images calibrate the activations, how many of them, and the int8 .onnx to write.
/// </summary>
public sealed record QuantizeRequest(string Model, string? Weights, DataSource Calibration, int Images, string Output)
{
    public const int DefaultImages = 256;
    public const int MaxImages = 100_000;
}

/// <summary>
/// The quantise verb once, for the CLI and the portal: finds or exports the float ONNX graph, reads the calibration
/// images from the training set, and hands both to <see cref="OnnxQuantizer"/>.
/// </summary>
public static class ModelQuantization
{
    public static QuantizationResult Quantize(QuantizeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Images is < 1 or > QuantizeRequest.MaxImages)
            throw new ArgumentException($"the number of calibration images must be 1 to {QuantizeRequest.MaxImages}, not {request.Images}");
        if (!request.Output.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"the int8 model '{request.Output}' must be an .onnx file");

        ITrainingSet set = DataCatalog.OpenTrainingSet(request.Calibration);
        try
        {
            if (set.Count == 0) throw new InvalidDataException($"training set {request.Calibration} holds no images to calibrate on");
            string? floatModel = ExistingOnnx(request.Model);
            if (floatModel is not null)
            {
                if (request.Weights is not null) throw new ArgumentException($"'{floatModel}' is an ONNX model: it carries its weights, drop --weights");
                return OnnxQuantizer.Quantize(floatModel, request.Output, Images(set, request.Images), request.Calibration.ToString());
            }
            // A model folder without model.onnx, or a registry name with weights: exported first, to a folder of our own.
            string folder = Directory.CreateTempSubdirectory("pocketnet-quantize-").FullName;
            try
            {
                string exported = new ModelFolder(folder).Onnx;
                using (LoadedModel loaded = ModelLoader.Load(request.Model, request.Weights, Device.Cpu))
                    OnnxExporter.Export(loaded.Network, loaded.Config, exported);
                return OnnxQuantizer.Quantize(exported, request.Output, Images(set, request.Images), request.Calibration.ToString());
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        finally
        {
            (set as IDisposable)?.Dispose();
        }
    }

    /// <summary>The ONNX graph a model argument names directly: an .onnx file, or a model folder's model.onnx.</summary>
    private static string? ExistingOnnx(string model)
    {
        if (model.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
            return File.Exists(model) ? model : throw new FileNotFoundException($"no ONNX model at '{Path.GetFullPath(model)}'", model);
        string inFolder = new ModelFolder(model).Onnx;
        return Directory.Exists(model) && File.Exists(inFolder) ? inFolder : null;
    }

    /// <summary>
    /// <paramref name="count"/> images spread evenly over the set (every Count/count-th), so that a set stored
    /// identity after identity contributes many identities rather than the first few; all of them when it holds fewer.
    /// </summary>
    public static IEnumerable<float[]> Images(ITrainingSet set, int count)
    {
        int n = Math.Min(count, set.Count);
        for (int i = 0; i < n; i++)
        {
            var image = new float[3 * set.ImageSize * set.ImageSize];
            set.ReadImage((int)((long)i * set.Count / n), image);
            yield return image;
        }
    }
}
