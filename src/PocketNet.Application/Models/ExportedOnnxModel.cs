using PocketNet.Onnx.Export;
using PocketNet.Onnx.Runtime;

namespace PocketNet.Application.Models;

/// <summary>A loaded network run by ONNX Runtime instead of our engine: exported to a temporary file, opened, the file deleted.</summary>
public static class ExportedOnnxModel
{
    /// <summary>ONNX Runtime reads the whole graph when the session opens, so the temporary file goes before this returns.</summary>
    public static OnnxEmbeddingModel Open(LoadedModel model, OnnxSessionOptions? options = null)
    {
        string folder = Directory.CreateTempSubdirectory("pocketnet-onnx-").FullName;
        try
        {
            string onnx = new ModelFolder(folder).Onnx;
            OnnxExporter.Export(model.Network, model.Config, onnx);
            return OnnxEmbeddingModel.Open(onnx, options);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
