using PocketNet.Application.Models;

namespace PocketNet.Cli.Tests;

/// <summary>ModelFolder: one owner of a stored model's file names, for run folders, our model folders and ONNX-only ones.</summary>
public sealed class ModelFolderTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_run_folder_stands_for_its_model_folder_and_a_model_folder_for_itself()
    {
        string run = Path.Combine(_temp.Path, "run");
        string model = Directory.CreateDirectory(Path.Combine(run, "model")).FullName;
        File.WriteAllText(Path.Combine(model, "config.json"), "{}");
        Assert.Equal(model, ModelFolder.Of(run).Path);
        Assert.Equal(model, ModelFolder.Of(model).Path);
        Assert.Equal(Path.Combine(model, "weights.safetensors"), ModelFolder.Of(run).Weights);
        Assert.Equal(Path.Combine(model, "results.json"), ModelFolder.Of(run).Results);
        Assert.False(ModelFolder.Of(run).IsOnnxOnly);
    }

    [Fact]
    public void A_folder_with_only_a_graph_is_an_onnx_model_and_a_zip_carries_the_files_in_one_order()
    {
        string folder = Directory.CreateDirectory(Path.Combine(_temp.Path, "external")).FullName;
        File.WriteAllBytes(Path.Combine(folder, "model.onnx"), [1]);
        Assert.True(new ModelFolder(folder).IsOnnxOnly);
        Assert.Equal(["weights.safetensors", "config.json", "model.onnx", "reproducibility.json", "training-events.jsonl"], ModelFolder.ArchivedFiles);
    }
}
