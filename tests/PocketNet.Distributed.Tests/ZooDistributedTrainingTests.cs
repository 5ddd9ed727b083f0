using PocketNet.Torch;
using PocketNet.Torch.Serialization;

namespace PocketNet.Distributed.Tests;

/// <summary>
/// Data-parallel training holds for the zoo's newer families as for PocketNet: ShuffleFaceNet 0.5× (the fewest FLOPs
/// of them; PReLU, channel shuffle, a batch-normed depthwise head) through the launcher on 2 Gloo ranks with
/// --batch 16 and --sync-bn moves every weight as 1 process with --batch 32 does, from the same --init weights.
/// One step, for the reason DistributedTrainingTests gives (ArcFace's s = 64 amplifies rounding step by step); and
/// the same comparison without --sync-bn fails, so the looser tolerance below still tells right from wrong.
/// </summary>
public sealed class ZooDistributedTrainingTests : IDisposable
{
    private const string Model = "shufflefacenet-0.5x";
    private readonly TempDirectory _temp = new();

    [Fact]
    public void ShuffleFaceNetOnTwoRanksWithSyncBnMovesTheWeightsAsOneProcessWithTheGlobalBatch()
    {
        string data = Path.Combine(_temp.Path, "synth"), init = Path.Combine(_temp.Path, "init.safetensors");
        Cli(["synth", "--out", data, "--identities", "8", "--images-per-identity", "4", "--pairs", "20", "--seed", "1"]);
        Cli(["init", "--model", Model, "--embedding", "16", "--seed", "8", "--out", init]);
        string[] Train(string run, int batch, params string[] extra) =>
        [
            "train", "--model", Model, "--embedding", "16", "--data", "recordio:" + Path.Combine(data, "train"), "--out", run,
            "--epochs", "1", "--batch", batch.ToString(), "--device", "cpu", "--seed", "5", "--log-every", "1", "--init", init, .. extra,
        ];

        string single = Path.Combine(_temp.Path, "single"), ranks = Path.Combine(_temp.Path, "ranks");
        WorkerResult one = WorkerProcesses.RunOnce(WorkerProcesses.CliAssembly, Train(single, 32));
        Assert.True(one.ExitCode == 0, one.ToString());
        WorkerResult two = WorkerProcesses.RunOnce(WorkerProcesses.CliAssembly, Train(ranks, 16, "--sync-bn", "--nproc-per-node", "2"));
        Assert.True(two.ExitCode == 0, two.ToString());
        Assert.Contains("starting ranks 0..1 of 2", two.Output);
        Assert.True(File.Exists(Path.Combine(ranks, "events-rank1.jsonl")), "rank 1 logged nothing");

        // Tolerance 2e-2, not DistributedTrainingTests' 1e-3: this network's float32 gradient is itself ~2e-3 from its
        // float64 value (measured with PyTorch's ShuffleFaceNet oracle at batch 32), so two float32 orders of the batch-norm sums
        // (global batch vs per-rank statistics gathered by Chan's formula) differ by 2e-3 to 8e-3 here. Per-rank
        // batch norm (no --sync-bn) is wrong by ~1 on the same tensors, which the tolerance catches.
        using TensorDictionary initial = SafeTensors.Load(init);
        using TensorDictionary b = SafeTensors.Load(Path.Combine(single, "model", "weights.safetensors"));
        using (TensorDictionary a = SafeTensors.Load(Path.Combine(ranks, "model", "weights.safetensors")))
            WeightChanges.AssertSame(initial, a, b, 2e-2);

        string local = Path.Combine(_temp.Path, "local-bn");
        WorkerResult unsynced = WorkerProcesses.RunOnce(WorkerProcesses.CliAssembly, Train(local, 16, "--nproc-per-node", "2"));
        Assert.True(unsynced.ExitCode == 0, unsynced.ToString());
        using TensorDictionary c = SafeTensors.Load(Path.Combine(local, "model", "weights.safetensors"));
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => WeightChanges.AssertSame(initial, c, b, 2e-2));
    }

    private static void Cli(string[] args)
    {
        var output = new StringWriter();
        Assert.True(PocketNet.Cli.Program.Run(args, output, output) == 0, output.ToString());
    }

    public void Dispose() => _temp.Dispose();
}
