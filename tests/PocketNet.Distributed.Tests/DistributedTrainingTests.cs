using PocketNet.Data.Imaging;
using PocketNet.Data.RecordIO;
using PocketNet.Torch;
using PocketNet.Torch.Serialization;

namespace PocketNet.Distributed.Tests;

/// <summary>
/// The contract of data-parallel training, through the real CLI: with --sync-bn, 2 processes with --batch 16 move
/// every weight as 1 process with --batch 32 does (same seed, hence the same initial weights), whether the ranks
/// come from --nproc-per-node or from torchrun's variables; and a rank that dies stops the job with its name.
/// </summary>
public sealed class DistributedTrainingTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly string _data;

    public DistributedTrainingTests() => _data = WriteRecordIoSet(identities: 8, perIdentity: 8);

    private string[] Train(string run, int batch, params string[] extra) => Train(run, batch, 1, extra);

    private string[] Train(string run, int batch, int epochs, params string[] extra) =>
    [
        "train", "--genotype", PocketNet.Models.SearchSpace.Genotype.PocketNet.ToString(), "--channels", "4", "--cells", "4",
        "--embedding", "16", "--data", "recordio:" + _data, "--out", run, "--epochs", epochs.ToString(), "--batch", batch.ToString(),
        "--device", "cpu", "--seed", "5", "--log-every", "1", "--lr", "0.01", .. extra,
    ];

    private string Single()
    {
        string run = Path.Combine(_temp.Path, "single");
        WorkerResult single = WorkerProcesses.RunOnce(WorkerProcesses.CliAssembly, Train(run, 32));
        Assert.True(single.ExitCode == 0, single.ToString());
        return run;
    }

    private string Initial()
    {
        string path = Path.Combine(_temp.Path, "init.safetensors");
        var output = new StringWriter();
        string[] init = ["init", "--genotype", PocketNet.Models.SearchSpace.Genotype.PocketNet.ToString(), "--channels", "4", "--cells", "4",
            "--embedding", "16", "--seed", "5", "--out", path];
        Assert.Equal(0, PocketNet.Cli.Program.Run(init, output, output));
        return path;
    }

    /// <summary>Per tensor: |Δ_a - Δ_b| / |Δ_b| where Δ is the change from the initial weights.</summary>
    private void AssertSameChange(string runA, string runB, double tolerance)
    {
        using var scope = DisposeScope.Enter();
        using TensorDictionary initial = SafeTensors.Load(Initial());
        using TensorDictionary a = SafeTensors.Load(Path.Combine(runA, "model", "weights.safetensors"));
        using TensorDictionary b = SafeTensors.Load(Path.Combine(runB, "model", "weights.safetensors"));
        int moved = 0;
        var errors = new List<string>();
        foreach (var (name, start) in initial)
        {
            if (start.DType != ScalarType.Float32) continue;
            Tensor changeA = a[name] - start, changeB = b[name] - start;
            double norm = changeB.Norm().Item();
            if (norm == 0) continue;
            moved++;
            double difference = (changeA - changeB).Norm().Item(), relative = difference / norm;
            // A change at float32's resolution of the stored weights (a bias whose gradient is zero up to rounding) has no meaningful relative error.
            double resolution = 4 * Math.Pow(2, -23) * b[name].Norm().Item() + 1e-7 * Math.Sqrt(start.NumEl);
            if (relative >= tolerance && difference > resolution) errors.Add($"{name}: relative error of the weight change {relative:E2} (|change| {norm:E2}, |weights| {start.Norm().Item():E2})");
        }
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        Assert.True(moved > 20, $"only {moved} tensors changed");
    }

    [Fact]
    public void TwoBy16WithSyncBnMovesTheWeightsAsOneBy32_ThroughTheLauncherAndTorchrunVariables()
    {
        string single = Single();

        string launched = Path.Combine(_temp.Path, "launched");
        WorkerResult job = WorkerProcesses.RunOnce(WorkerProcesses.CliAssembly, Train(launched, 16, "--sync-bn", "--nproc-per-node", "2"));
        Assert.True(job.ExitCode == 0, job.ToString());
        Assert.Contains("starting ranks 0..1 of 2", job.Output);
        AssertSameChange(launched, single, 1e-3);

        string torchrun = Path.Combine(_temp.Path, "torchrun");
        WorkerResult[] ranks = WorkerProcesses.RunRanks(2, WorkerProcesses.CliAssembly, _ => Train(torchrun, 16, "--sync-bn", "--gradient-sync", "per-tensor"));
        foreach (WorkerResult r in ranks) Assert.True(r.ExitCode == 0, r.ToString());
        AssertSameChange(torchrun, single, 1e-3);
        Assert.True(File.Exists(Path.Combine(torchrun, "events-rank1.jsonl")));
    }

    [Fact]
    public void AKilledRankStopsTheOtherWithItsName()
    {
        string run = Path.Combine(_temp.Path, "killed");
        var port = WorkerProcesses.FreePort().ToString();
        var env = new Dictionary<string, string> { ["WORLD_SIZE"] = "2", ["MASTER_ADDR"] = "127.0.0.1", ["MASTER_PORT"] = port };
        string[] args = Train(run, 8, 50);
        var rank0 = WorkerProcesses.Start(WorkerProcesses.CliAssembly, args, new Dictionary<string, string>(env) { ["RANK"] = "0", ["LOCAL_RANK"] = "0" });
        var rank1 = WorkerProcesses.Start(WorkerProcesses.CliAssembly, args, new Dictionary<string, string>(env) { ["RANK"] = "1", ["LOCAL_RANK"] = "1" });
        // kill rank 1 once training is under way (rank 0 has logged a step)
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (!File.Exists(Path.Combine(run, "events.jsonl")) || !File.ReadAllText(Path.Combine(run, "events.jsonl")).Contains("\"step\""))
        {
            Assert.True(started.Elapsed < TimeSpan.FromSeconds(90) && !rank0.Process.HasExited, "training did not start\n" + rank0.Error + rank0.Output);
            Thread.Sleep(200);
        }
        rank1.Process.Kill();
        WorkerResult survivor = rank0.Finish(0, TimeSpan.FromSeconds(60));
        rank1.Finish(1, TimeSpan.FromSeconds(10));
        Assert.Equal(1, survivor.ExitCode);
        Assert.Contains("rank 0 of 2", survivor.Error);
        Assert.Contains("rank 1 stopped responding", survivor.Error);
    }

    private string WriteRecordIoSet(int identities, int perIdentity)
    {
        string folder = Directory.CreateDirectory(Path.Combine(_temp.Path, "data")).FullName;
        var random = new Random(9);
        using var writer = RecordIoDatasetWriter.CreateInFolder(folder, markSynthetic: true);
        for (int id = 0; id < identities; id++)
        {
            var colour = new byte[3];
            random.NextBytes(colour);
            for (int k = 0; k < perIdentity; k++)
            {
                var image = new Image(112, 112, 3);
                for (int p = 0; p < image.Pixels.Length; p++) image.Pixels[p] = (byte)Math.Clamp(colour[p % 3] + random.Next(-40, 40), 0, 255);
                writer.AddImage(id, image);
            }
        }
        writer.Complete();
        return folder;
    }

    public void Dispose() => _temp.Dispose();
}
