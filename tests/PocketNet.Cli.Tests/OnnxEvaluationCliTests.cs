using System.Text.Json;
using PocketNet.Models.Registry;
using PocketNet.Onnx.Export;
using PocketNet.Torch;
using PocketNet.Torch.NN;
using PocketNet.Training.Runs;

namespace PocketNet.Cli.Tests;

/// <summary>`eval --runtime onnx` and `eval --model file.onnx`: ONNX Runtime behind the same protocols.</summary>
public sealed class OnnxEvaluationCliTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly string _synth, _weights;

    public OnnxEvaluationCliTests()
    {
        _synth = Path.Combine(_temp.Path, "synth");
        var generated = CliRunner.Run("synth", "--out", _synth, "--identities", "4", "--images-per-identity", "2", "--pairs", "40", "--seed", "2");
        Assert.True(generated.ExitCode == 0, generated.Error);
        _weights = Path.Combine(_temp.Path, "w.safetensors");
        var init = CliRunner.Run("init", "--model", "pocketnet-s-128", "--seed", "1", "--out", _weights);
        Assert.True(init.ExitCode == 0, init.Error);
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void OnnxRuntimeGivesTheAccuracyOfTheEngine()
    {
        JsonElement engine = Eval("libtorch", "--model", "pocketnet-s-128", "--weights", _weights);
        JsonElement onnx = Eval("onnx", "--model", "pocketnet-s-128", "--weights", _weights, "--runtime", "onnx");
        Assert.Equal("libtorch", engine.GetProperty("runtime").GetString());
        Assert.Equal("onnx", onnx.GetProperty("runtime").GetString());
        Assert.False(onnx.GetProperty("external").GetBoolean());
        Assert.Equal(engine.GetProperty("mega_flops").GetDouble(), onnx.GetProperty("mega_flops").GetDouble());

        double a = Headline(engine), b = Headline(onnx);
        // 40 pairs: at most one pair may land on the other side of a threshold through float rounding.
        Assert.True(Math.Abs(a - b) <= 1.0 / 40 + 1e-12, $"libtorch {a}, onnx {b}");
    }

    [Fact]
    public void OnnxRuntimeSessionOptionsComeFromTheCommandLine()
    {
        string prefix = Path.Combine(_temp.Path, "profiles", "eval");
        var (code, output, error) = CliRunner.Run("eval", "--model", "pocketnet-s-128", "--weights", _weights, "--runtime", "onnx",
            "--onnx-threads", "1", "--onnx-optimization", "basic", "--onnx-profile", prefix,
            "--benchmarks", "synth_lfw", "--synth-root", _synth, "--out", Path.Combine(_temp.Path, "profiled.json"), "--device", "cpu");
        Assert.True(code == 0, error + output);
        Assert.Contains("on Cpu, optimisation Basic, intra-op threads 1", output);
        // The profile: a Chrome trace of every kernel ONNX Runtime ran, written when the session ended.
        string profile = Assert.Single(Directory.GetFiles(Path.GetDirectoryName(prefix)!, "eval_*.json"));
        Assert.Contains($"ONNX Runtime profile: {profile}", output);
        using JsonDocument trace = JsonDocument.Parse(File.ReadAllText(profile));
        Assert.Contains(trace.RootElement.EnumerateArray(), e =>
            e.TryGetProperty("args", out JsonElement args) && args.TryGetProperty("op_name", out JsonElement op) && op.GetString() == "Conv");

        var wrongLevel = CliRunner.Run("eval", "--model", "pocketnet-s-128", "--weights", _weights, "--runtime", "onnx",
            "--onnx-optimization", "fast", "--benchmarks", "synth_lfw", "--synth-root", _synth);
        Assert.Equal(1, wrongLevel.ExitCode);
        Assert.Contains("all, extended, basic, disabled", wrongLevel.Error);
        var notOnnx = CliRunner.Run("eval", "--model", "pocketnet-s-128", "--weights", _weights, "--onnx-threads", "1",
            "--benchmarks", "synth_lfw", "--synth-root", _synth);
        Assert.Equal(1, notOnnx.ExitCode);
        Assert.Contains("--onnx-threads", notOnnx.Error);
    }

    [Fact]
    public void AnExternalOnnxModelIsEvaluatedWithItsSizeReadFromTheGraph()
    {
        // Batch norms kept as BatchNormalization nodes: the graph's FLOPs are then exactly the paper's count.
        string onnx = Path.Combine(_temp.Path, "external.onnx");
        using Module<Tensor, Tensor> network = ModelRegistry.Create(ModelRegistry.Resolve("pocketnet-s-128"));
        WeightFiles.LoadModule(network, _weights);
        network.Eval();
        OnnxExporter.Export(network, ModelRegistry.Resolve("pocketnet-s-128"), onnx, new OnnxExportOptions { FoldBatchNorm = false });

        JsonElement report = Eval("external", "--model", onnx);
        Assert.True(report.GetProperty("external").GetBoolean());
        Assert.Equal("onnx", report.GetProperty("runtime").GetString());
        Assert.Equal(JsonValueKind.Null, report.GetProperty("config").ValueKind);
        Assert.Equal(587.11, Math.Round(report.GetProperty("mega_flops").GetDouble(), 2));
        // Parameters are the graph's float initializers: the trainable ones plus each batch norm's running mean and
        // variance, plus the one shared scalar of the PReLU form s*x + (1 - s)*Relu(x).
        long stored = network.StateDict().Where(kv => kv.Value.DType == ScalarType.Float32).Sum(kv => kv.Value.NumEl);
        Assert.Equal(stored + 1, report.GetProperty("parameters").GetInt64());
        Assert.Equal(stored - network.ParameterCount(),
            network.StateDict().Where(kv => kv.Key.EndsWith("running_mean") || kv.Key.EndsWith("running_var")).Sum(kv => kv.Value.NumEl));
        Assert.InRange(Headline(report), 0, 1);
    }

    [Fact]
    public void AnOnnxFileThatIsNotAFaceModelIsRefusedClearly()
    {
        string bogus = Path.Combine(_temp.Path, "bogus.onnx");
        File.WriteAllText(bogus, "not a model");
        var (code, _, error) = CliRunner.Run("eval", "--model", bogus, "--benchmarks", "synth_lfw", "--synth-root", _synth);
        Assert.Equal(1, code);
        Assert.Contains("bogus.onnx", error);
        var withWeights = CliRunner.Run("eval", "--model", bogus, "--weights", _weights, "--benchmarks", "synth_lfw", "--synth-root", _synth);
        Assert.Equal(1, withWeights.ExitCode);
        Assert.Contains("drop --weights", withWeights.Error);
    }

    private JsonElement Eval(string name, params string[] model)
    {
        string json = Path.Combine(_temp.Path, name + ".json");
        var (code, output, error) = CliRunner.Run([.. "eval".Split(' '), .. model, "--benchmarks", "synth_lfw", "--synth-root", _synth,
            "--out", json, "--device", "cpu"]);
        Assert.True(code == 0, error + output);
        return JsonDocument.Parse(File.ReadAllText(json)).RootElement.Clone();
    }

    private static double Headline(JsonElement report) => report.GetProperty("results")[0].GetProperty("headline").GetDouble();
}
