using PocketNet.Models.Search;
using PocketNet.Torch;
using PocketNet.Torch.Serialization;

namespace PocketNet.Distributed.Tests;

/// <summary>
/// The DARTS search's data-parallel contract, through the real CLI: with --sync-bn, 2 processes with --batch 4
/// move every supernet weight and every alpha as 1 process with --batch 8 does. The unrolled second-order step
/// is the one checked (it averages three gradients across the ranks and runs batch norm in the unrolled supernet
/// too). One step: Adam's first steps are nearly sign(g)·lr, so from the second step on a gradient element at
/// rounding level can flip an alpha's direction in either run alike.
/// </summary>
public sealed class DistributedSearchTests
{
    [Fact]
    public void TwoBy4WithSyncBnSearchesAsOneBy8()
    {
        using var temp = new TempDirectory();
        var output = new StringWriter();
        string data = Path.Combine(temp.Path, "synth");
        Assert.True(PocketNet.Cli.Program.Run(["synth", "--out", data, "--identities", "4", "--images-per-identity", "4", "--pairs", "20", "--seed", "1"],
            output, output) == 0, output.ToString());
        string[] Search(string run, int batch, params string[] extra) =>
        [
            "search", "--data", "recordio:" + Path.Combine(data, "train"), "--out", run, "--epochs", "1", "--batch", batch.ToString(),
            "--channels", "4", "--cells", "3", "--final-channels", "4", "--final-cells", "4", "--final-embedding", "16",
            "--device", "cpu", "--seed", "5", "--log-every", "1", .. extra,
        ];
        string single = Path.Combine(temp.Path, "single"), two = Path.Combine(temp.Path, "two");
        WorkerResult one = WorkerProcesses.RunOnce(WorkerProcesses.CliAssembly, Search(single, 8));
        Assert.True(one.ExitCode == 0, one.ToString());
        WorkerResult job = WorkerProcesses.RunOnce(WorkerProcesses.CliAssembly, Search(two, 4, "--sync-bn", "--nproc-per-node", "2"));
        Assert.True(job.ExitCode == 0, job.ToString());
        Assert.Contains("starting ranks 0..1 of 2", job.Output);
        Assert.True(File.Exists(Path.Combine(two, "events-rank1.jsonl")));

        // The supernet the search starts from: seed 5, 16 images of 4 identities at 112 x 112 (DartsSearch's own order of draws).
        Engine.ManualSeed(5);
        using var initialNetwork = new SearchNetwork(classes: 4, channels: 4, cells: 3, nodes: 4, stemMultiplier: 3, inputSize: 112);
        var initial = initialNetwork.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value);
        string Supernet(string run) => Path.Combine(run, "checkpoints", "epoch-0001", "supernet.safetensors");
        using TensorDictionary a = SafeTensors.Load(Supernet(two)), b = SafeTensors.Load(Supernet(single));
        WeightChanges.AssertSame(initial, a, b, 1e-3);
        Assert.Equal(File.ReadAllText(Path.Combine(single, "model", "genotype.txt")), File.ReadAllText(Path.Combine(two, "model", "genotype.txt")));
    }
}
