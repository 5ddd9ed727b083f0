using System.Diagnostics;
using System.Text.Json;
using PocketNet.Models.Registry;
using PocketNet.Torch;
using PocketNet.Torch.Distributed;
using PocketNet.Torch.NN;

namespace PocketNet.Bench.Distributed;

/// <summary>
/// One rank of the all-reduce benchmark: PocketNet-S-128's parameters, a loss whose backward is nearly free
/// (sum of each parameter times a constant), and per step the time of backward with the gradient reducer
/// (hooks, buckets, all-reduce, averaged gradients written back) against backward alone. The difference is what
/// averaging this network's gradients across the ranks costs a step; PyTorch's side (ddp_bench.py) does the same
/// under DistributedDataParallel with and without no_sync().
/// </summary>
public static class AllReduceWorker
{
    public static int Run(int steps, string shapesFile, GradientSync sync)
    {
        Engine.Threads = 1;
        Rendezvous rendezvous = Rendezvous.FromEnvironment() ?? throw new InvalidOperationException("WORLD_SIZE is not set");
        using ProcessGroup group = ProcessGroup.Join(rendezvous);
        using Module<Tensor, Tensor> network = ModelRegistry.Create(ModelRegistry.Resolve("pocketnet-s-128"));
        Tensor[] parameters = network.Parameters().ToArray();
        if (group.Rank == 0)
            File.WriteAllText(shapesFile, JsonSerializer.Serialize(parameters.Select(p => p.Shape).ToArray()));
        using var parallel = new DataParallel(group, [network], sync);
        var withSync = new List<double>();
        var alone = new List<double>();
        for (int step = -3; step < steps; step++)
        {
            foreach (bool synced in new[] { true, false })
            {
                group.Barrier();
                var clock = Stopwatch.StartNew();
                using (DisposeScope.Enter())
                {
                    Tensor loss = parameters.Select(p => (p * 1e-3).Sum()).Aggregate((a, b) => a + b);
                    if (synced) parallel.BeforeBackward();
                    loss.Backward();
                    if (synced) parallel.AfterBackward();
                }
                double ms = clock.Elapsed.TotalMilliseconds;
                if (step >= 0) (synced ? withSync : alone).Add(ms);
                network.ZeroGrad();
            }
        }
        if (group.Rank == 0)
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                side = "ours",
                sync = sync.ToString(),
                parameters = parameters.Sum(p => p.NumEl),
                buckets = parallel.BucketCount,
                step_ms_with_allreduce = Median(withSync),
                step_ms_without = Median(alone),
                allreduce_ms = Median(withSync) - Median(alone),
            }));
        return 0;
    }

    internal static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
