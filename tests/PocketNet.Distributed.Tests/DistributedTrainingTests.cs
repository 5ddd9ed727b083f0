using PocketNet.Torch;
using PocketNet.Torch.Serialization;

namespace PocketNet.Distributed.Tests;

/// <summary>
/// The contract of data-parallel training, through the real CLI: with --sync-bn, 2 processes with --batch 16 move
/// every weight as 1 process with --batch 32 does (all from the same --init weights), whether the ranks come from
/// --nproc-per-node or from torchrun's variables; and a rank that dies stops the job with its name.
/// One step (an epoch of 32 images): ArcFace at s = 64 amplifies rounding-level differences from step to step, so
/// that after two steps even 1 and 2 threads of one process differ by up to 2e-3 in some tensors; that the ranks
/// together read the global batch in every step is checked by DistributedSamplerTests.
/// </summary>
public sealed class DistributedTrainingTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly string _data;

    private readonly string _init;

    public DistributedTrainingTests()
    {
        _data = Synthesise(identities: 8, perIdentity: 4);
        _init = Initial();
    }

    private string[] Train(string run, int batch, params string[] extra) => Train(run, batch, 1, extra);

    private string[] Train(string run, int batch, int epochs, params string[] extra) =>
    [
        "train", "--genotype", PocketNet.Models.SearchSpace.Genotype.PocketNet.ToString(), "--channels", "4", "--cells", "4",
        "--embedding", "16", "--data", "recordio:" + Path.Combine(_data, "train"), "--out", run, "--epochs", epochs.ToString(), "--batch", batch.ToString(),
        "--device", "cpu", "--seed", "5", "--log-every", "1", "--init", _init, .. extra,
    ];

    private string Single()
    {
        string run = Path.Combine(_temp.Path, "single");
        WorkerResult single = WorkerProcesses.RunOnce(WorkerProcesses.CliAssembly, Train(run, 32));
        Assert.True(single.ExitCode == 0, single.ToString());
        return run;
    }

    // Initial weights from another seed than the runs' own (5): the runs must start from these, not from seed 5.
    private string Initial()
    {
        string path = Path.Combine(_temp.Path, "init.safetensors");
        var output = new StringWriter();
        string[] init = ["init", "--genotype", PocketNet.Models.SearchSpace.Genotype.PocketNet.ToString(), "--channels", "4", "--cells", "4",
            "--embedding", "16", "--seed", "8", "--out", path];
        Assert.Equal(0, PocketNet.Cli.Program.Run(init, output, output));
        return path;
    }

    private void AssertSameChange(string runA, string runB, double tolerance)
    {
        using TensorDictionary initial = SafeTensors.Load(_init);
        using TensorDictionary a = SafeTensors.Load(Path.Combine(runA, "model", "weights.safetensors"));
        using TensorDictionary b = SafeTensors.Load(Path.Combine(runB, "model", "weights.safetensors"));
        WeightChanges.AssertSame(initial, a, b, tolerance);
        using var scope = DisposeScope.Enter();
        // One step moves the stem a little from --init; seed 5's own weights are as far from it as the weights are large.
        double drift = (b["stem.0.weight"] - initial["stem.0.weight"]).Norm().Item() / initial["stem.0.weight"].Norm().Item();
        Assert.True(drift < 0.5, $"the run did not start from --init (stem moved {drift:P0})");
    }

    [Fact]
    public void TwoBy16WithSyncBnMovesTheWeightsAsOneBy32_ThroughTheLauncherTorchrunVariablesAndPartialFc()
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

        // Partial FC at sample rate 1.0: the class centres sharded over the two ranks, the same step as the full head
        string partialFc = Path.Combine(_temp.Path, "partial-fc");
        WorkerResult sharded = WorkerProcesses.RunOnce(WorkerProcesses.CliAssembly, Train(partialFc, 16, "--sync-bn", "--nproc-per-node", "2", "--sample-rate", "1.0"));
        Assert.True(sharded.ExitCode == 0, sharded.ToString());
        AssertSameChange(partialFc, single, 1e-3);
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

    // With Partial FC at 0.5 the checkpoint holds the head assembled from both ranks' shards, and the resumed ranks
    // draw the same negative centres in each step as the uninterrupted run did.
    [Theory]
    [InlineData("full head")]
    [InlineData("partial fc 0.5")]
    public void AJobKilledAfterAnEpochResumesOnTwoRanksToTheSameWeights(string head)
    {
        string whole = Path.Combine(_temp.Path, "whole"), resumed = Path.Combine(_temp.Path, "resumed");
        string[] headArgs = head == "full head" ? [] : ["--sample-rate", "0.5"];
        string[] Args(string run) => Train(run, 8, 3, ["--sync-bn", "--nproc-per-node", "2", .. headArgs]);
        WorkerResult uninterrupted = WorkerProcesses.RunOnce(WorkerProcesses.CliAssembly, Args(whole));
        Assert.True(uninterrupted.ExitCode == 0, uninterrupted.ToString());

        var job = WorkerProcesses.Start(WorkerProcesses.CliAssembly, Args(resumed), new Dictionary<string, string>());
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!Directory.Exists(Path.Combine(resumed, "checkpoints", "epoch-0001")))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(90) && !job.Process.HasExited, "no first checkpoint\n" + job.Output + job.Error);
            Thread.Sleep(20);
        }
        job.Process.Kill(entireProcessTree: true); // the launcher and both ranks, mid-way through epoch 2
        job.Finish(0, TimeSpan.FromSeconds(30));
        Assert.False(Directory.Exists(Path.Combine(resumed, "model")), "the run finished before it could be killed");

        WorkerResult resume = WorkerProcesses.RunOnce(WorkerProcesses.CliAssembly, ["resume", resumed, "--nproc-per-node", "2"]);
        Assert.True(resume.ExitCode == 0, resume.ToString());
        Assert.Contains("resumed from", resume.Output);
        using TensorDictionary a = SafeTensors.Load(Path.Combine(whole, "model", "weights.safetensors"));
        using TensorDictionary b = SafeTensors.Load(Path.Combine(resumed, "model", "weights.safetensors"));
        using var scope = DisposeScope.Enter();
        foreach (var (name, tensor) in a)
            if (tensor.DType == ScalarType.Float32)
                Assert.True((tensor - b[name]).Abs().Max().Item() <= 1e-6 * Math.Max(1, tensor.Abs().Max().Item()), $"{name} differs after the resume");
    }

    // SynthFaces (faces of synthetic identities), not flat colours: nearly constant images make batch norm's
    // gradient a difference of nearly equal terms, where rounding alone reaches 1e-3.
    private string Synthesise(int identities, int perIdentity)
    {
        string folder = Path.Combine(_temp.Path, "synth");
        var output = new StringWriter();
        string[] synth = ["synth", "--out", folder, "--identities", identities.ToString(), "--images-per-identity", perIdentity.ToString(),
            "--pairs", "20", "--seed", "1"];
        Assert.True(PocketNet.Cli.Program.Run(synth, output, output) == 0, output.ToString());
        return folder;
    }

    public void Dispose() => _temp.Dispose();
}
