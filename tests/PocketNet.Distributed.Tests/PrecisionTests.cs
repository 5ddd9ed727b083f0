using PocketNet.Torch;
using PocketNet.Torch.Serialization;
using PocketNet.Training.Progress;

namespace PocketNet.Distributed.Tests;

/// <summary>--precision bf16: the backbone under autocast, float32 everywhere it is stored; fp16 (CUDA only) refused on a CPU.</summary>
public sealed class PrecisionTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private double[] Losses(string run, params string[] extra)
    {
        string data = Path.Combine(_temp.Path, "synth");
        if (!Directory.Exists(data))
        {
            var output = new StringWriter();
            string[] synth = ["synth", "--out", data, "--identities", "8", "--images-per-identity", "4", "--pairs", "20", "--seed", "1"];
            Assert.True(PocketNet.Cli.Program.Run(synth, output, output) == 0, output.ToString());
        }
        string[] train = ["train", "--genotype", PocketNet.Models.SearchSpace.Genotype.PocketNet.ToString(), "--channels", "4", "--cells", "4",
            "--embedding", "16", "--data", "recordio:" + Path.Combine(data, "train"), "--out", run, "--epochs", "2", "--batch", "16",
            "--device", "cpu", "--seed", "5", "--log-every", "1", .. extra];
        WorkerResult result = WorkerProcesses.RunOnce(WorkerProcesses.CliAssembly, train);
        Assert.True(result.ExitCode == 0, result.ToString());
        return EventLog.Read(Path.Combine(run, "events.jsonl")).OfType<StepProgress>().Select(s => s.Losses["ce"]).ToArray();
    }

    [Fact]
    public void Bf16TrainsAlongTheFloat32CurveAndStoresFloat32()
    {
        double[] fp32 = Losses(Path.Combine(_temp.Path, "fp32"));
        string bf16Run = Path.Combine(_temp.Path, "bf16");
        double[] bf16 = Losses(bf16Run, "--precision", "bf16");
        Assert.Equal(4, bf16.Length);
        Assert.NotEqual(fp32, bf16); // the backbone did run in bfloat16
        for (int i = 0; i < fp32.Length; i++)
            Assert.True(Math.Abs(bf16[i] - fp32[i]) < 0.05 * fp32[i], $"step {i + 1}: bf16 loss {bf16[i]:F3}, fp32 {fp32[i]:F3}");
        using TensorDictionary weights = SafeTensors.Load(Path.Combine(bf16Run, "model", "weights.safetensors"));
        Assert.All(weights.Values.Where(t => t.DType != ScalarType.Int64), t => Assert.Equal(ScalarType.Float32, t.DType));
    }

    [Fact]
    public void Fp16OnACpuIsRefusedWithTheReason()
    {
        string data = Path.Combine(_temp.Path, "synth");
        var output = new StringWriter();
        Assert.Equal(0, PocketNet.Cli.Program.Run(["synth", "--out", data, "--identities", "4", "--images-per-identity", "2", "--pairs", "20", "--seed", "1"], output, output));
        var error = new StringWriter();
        int code = PocketNet.Cli.Program.Run(["train", "--genotype", PocketNet.Models.SearchSpace.Genotype.PocketNet.ToString(), "--channels", "4",
            "--cells", "4", "--embedding", "16", "--data", "recordio:" + Path.Combine(data, "train"), "--out", Path.Combine(_temp.Path, "fp16"),
            "--epochs", "1", "--batch", "4", "--device", "cpu", "--precision", "fp16"], error, error);
        Assert.NotEqual(0, code);
        Assert.Contains("--precision fp16 needs a CUDA device", error.ToString());
        Assert.Contains("use bf16", error.ToString());
    }

    public void Dispose() => _temp.Dispose();
}
