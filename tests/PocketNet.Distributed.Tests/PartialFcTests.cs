using PocketNet.Models.Heads;
using PocketNet.Torch;
using PocketNet.Torch.NN;
using PocketNet.Training.Distributed;

namespace PocketNet.Distributed.Tests;

/// <summary>
/// Partial FC against the full margin head: on two real ranks (Gloo) at sample rate 1.0 one step gives the full
/// head's loss over the global batch, its gradient for every class centre, and W times its gradient for each rank's
/// embeddings (DDP then averages the backbone's gradients over the W ranks); below 1.0 only the sampled centres move.
/// </summary>
public sealed class PartialFcTests
{
    [Fact]
    public void AtSampleRateOneTwoRanksGiveTheFullHeadsLossAndGradients()
    {
        using var temp = new TempDirectory();
        WorkerResult[] ranks = WorkerProcesses.RunRanks(2, WorkerProcesses.TestAssembly, _ => ["partial-fc", temp.Path, "1.0"]);
        foreach (WorkerResult r in ranks) Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("shard: 0+4", ranks[0].Output);
        Assert.Contains("shard: 4+3", ranks[1].Output);

        var (embeddings, labels, head) = Worker.PartialFcData();
        using var scope = DisposeScope.Enter();
        using (head)
        {
            Tensor input = embeddings.Detach().RequiresGradient();
            Tensor loss = Functional.CrossEntropy(head.Forward(input, labels), labels);
            loss.Backward();
            for (int rank = 0; rank < 2; rank++)
            {
                var partial = RawTensors.Read(temp.Path, $"partial-rank{rank}");
                Assert.Equal(loss.Item(), partial["loss"].ToTensor().Item(), 5);
                AssertClose(input.Grad!.Narrow(0, rank * 4, 4) * 2, partial["embedding_grad"].ToTensor(), $"rank {rank}'s embedding gradient");
                var (start, count) = PartialFc.ShardOf(7, rank, 2);
                AssertClose(head.Kernel.Grad!.Narrow(1, start, count), partial["kernel_grad"].ToTensor(), $"rank {rank}'s centre gradient");
            }
        }
    }

    [Fact]
    public void BelowOneOnlyTheSampledCentresAndEveryPositiveTakePart()
    {
        using var scope = DisposeScope.Enter();
        Engine.ManualSeed(4);
        using var full = new CosFaceHead(6, 20, scale: 16);
        Tensor embeddings = Tensors.Randn([6, 6]);
        Tensor labels = Tensors.FromArray<long>([3, 3, 17, 9, 0, 17]);
        long[] Moved(long step)
        {
            using var pfc = new PartialFc(full, classes => new CosFaceHead(6, classes, scale: 16), null, Device.Cpu, 0.5, seed: 2);
            pfc.Step(embeddings, labels, step);
            float[] norms = pfc.Shard.Kernel.Grad!.Abs().Sum(0).ToArray<float>();
            return Enumerable.Range(0, 20).Where(c => norms[c] > 0).Select(c => (long)c).ToArray();
        }
        long[] first = Moved(1);
        Assert.Equal(10, first.Length); // 50 % of 20 centres
        Assert.Subset(first.ToHashSet(), new HashSet<long> { 0, 3, 9, 17 });
        Assert.Equal(first, Moved(1)); // the draw depends on (seed, step, rank) only
        Assert.NotEqual(first, Moved(2));
    }

    private static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        double scale = Math.Max(1e-6, expected.Abs().Max().Item());
        double worst = (expected - actual).Abs().Max().Item() / scale;
        Assert.True(worst < 1e-5, $"{what} differs by {worst:E2} of its largest element");
    }
}
