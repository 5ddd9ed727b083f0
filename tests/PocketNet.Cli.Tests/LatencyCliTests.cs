using System.Text.Json;
using PocketNet.Models.Registry;
using PocketNet.Models.SearchSpace;
using PocketNet.Onnx.Export;
using PocketNet.Torch;
using PocketNet.Torch.NN;
using PocketNet.Training.Runs;

namespace PocketNet.Cli.Tests;

/// <summary>
/// `pocketnet latency`: both runtimes measure the same model folder, an .onnx file runs on ONNX Runtime only, and
/// the report names what it measured (no timing is asserted: only that each figure was taken).
/// </summary>
public sealed class LatencyCliTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly string _folder, _onnx;

    public LatencyCliTests()
    {
        // A small network of PocketNet's genotype, stored as a model folder and as an exported graph.
        ModelConfig config = ModelRegistry.ForGenotype(Genotype.PocketNet, 4, 4, 16);
        _folder = Path.Combine(_temp.Path, "model");
        Directory.CreateDirectory(_folder);
        using Module<Tensor, Tensor> network = ModelRegistry.Create(config);
        WeightFiles.SaveModule(network, Path.Combine(_folder, "weights.safetensors"));
        File.WriteAllText(Path.Combine(_folder, "config.json"), JsonSerializer.Serialize(config, PocketNet.Training.Progress.EventLog.JsonOptions));
        _onnx = Path.Combine(_temp.Path, "small.onnx");
        network.Eval();
        OnnxExporter.Export(network, config, _onnx);
    }

    public void Dispose() => _temp.Dispose();

    private static JsonElement Report(params string[] args)
    {
        var run = CliRunner.Run(["latency", .. args, "--runs", "3", "--json"]);
        Assert.True(run.ExitCode == 0, run.Error + run.Output);
        using var json = JsonDocument.Parse(run.Output);
        return json.RootElement.Clone();
    }

    [Theory]
    [InlineData("libtorch")]
    [InlineData("onnx")]
    public void AModelFolderIsMeasuredOnEitherRuntime(string runtime)
    {
        JsonElement report = Report("--model", _folder, "--runtime", runtime, "--threads", "1");
        Assert.Equal(runtime, report.GetProperty("runtime").GetString());
        Assert.Equal(1, report.GetProperty("threads").GetInt32());
        Assert.Equal(64, report.GetProperty("batch").GetInt32());
        Assert.True(report.GetProperty("milliseconds_per_image").GetDouble() > 0);
        Assert.True(report.GetProperty("images_per_second").GetDouble() > 0);
        Assert.Contains("logical cores", report.GetProperty("cpu").GetString());
    }

    [Fact]
    public void AnOnnxFileRunsOnOnnxRuntimeOnly()
    {
        Assert.Equal("onnx", Report("--model", _onnx).GetProperty("runtime").GetString());
        var refused = CliRunner.Run("latency", "--model", _onnx, "--runtime", "libtorch");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("only --runtime onnx runs it", refused.Error);
        var unknown = CliRunner.Run("latency", "--model", _folder, "--runtime", "tensorrt");
        Assert.Contains("--runtime must be libtorch or onnx, not 'tensorrt'", unknown.Error);
    }
}
