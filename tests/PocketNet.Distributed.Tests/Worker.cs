using System.Diagnostics;
using PocketNet.Torch;
using PocketNet.Torch.Distributed;
using PocketNet.Torch.NN;
using PocketNet.Models.Heads;
using PocketNet.Training.Distributed;

namespace PocketNet.Distributed.Tests;

/// <summary>
/// The worker side of the distributed tests: `dotnet PocketNet.Distributed.Tests.dll SCENARIO ARGS` joins the job
/// described by torchrun's variables and runs one scenario, printing results as `key: value` lines.
/// </summary>
public static class Worker
{
    public static int Main(string[] args)
    {
        Engine.Threads = 1;
        Rendezvous rendezvous = Rendezvous.FromEnvironment() ?? throw new InvalidOperationException("WORLD_SIZE is not set");
        if (args.Length > 1 && args[0] == "timeout") rendezvous = rendezvous with { Timeout = TimeSpan.FromSeconds(double.Parse(args[1])) };
        try
        {
            using ProcessGroup group = ProcessGroup.Join(rendezvous);
            switch (args[0])
            {
                case "collectives": Collectives(group); break;
                case "timeout": Timeout(group); break;
                case "kill": Kill(group); break;
                case "partial-fc": PartialFcStep(group, args[1], double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture)); break;
                case "ddp-step": DdpStep(group, args[1], args[2] == "bucketed" ? GradientSync.Bucketed : GradientSync.PerTensor, args[3] == "syncbn", long.Parse(args[4])); break;
                default: throw new ArgumentException($"unknown scenario '{args[0]}'");
            }
            return 0;
        }
        catch (TorchException e)
        {
            Console.WriteLine($"error: {e.Message}");
            return 3;
        }
    }

    private static string Show(Tensor t) => string.Join(",", t.ToArray<float>());

    private static void Collectives(ProcessGroup group)
    {
        int r = group.Rank;
        using var sum = Tensors.FromSpan<float>([r + 1, 10 * (r + 1)], [2]);
        using var average = Tensors.FromSpan<float>([r + 1, 10 * (r + 1)], [2]);
        using var max = Tensors.FromSpan<float>([r, -r], [2]);
        group.AllReduce(ReduceOp.Sum, sum);
        group.AllReduce(ReduceOp.Average, average);
        group.AllReduce(ReduceOp.Max, max);
        using var broadcast = Tensors.FromSpan<float>([r * 100 + 1, r * 100 + 2, r * 100 + 3], [3]);
        group.Broadcast(1, broadcast);
        using var mine = Tensors.FromSpan<float>([r, r + 0.5f], [2]);
        using Tensor gathered = group.AllGather(mine);
        group.Barrier();
        Console.WriteLine($"sum: {Show(sum)}");
        Console.WriteLine($"average: {Show(average)}");
        Console.WriteLine($"max: {Show(max)}");
        Console.WriteLine($"broadcast: {Show(broadcast)}");
        Console.WriteLine($"gathered: {string.Join("x", gathered.Shape)} {Show(gathered)}");
    }

    // Rank 1 stays alive but never joins the collective: rank 0 must give up after the timeout.
    private static void Timeout(ProcessGroup group)
    {
        using var t = Tensors.Ones([4]);
        if (group.Rank == 1)
        {
            Thread.Sleep(group.Rendezvous.Timeout * 3);
            return;
        }
        var clock = Stopwatch.StartNew();
        try
        {
            group.AllReduce(ReduceOp.Sum, t);
        }
        finally
        {
            Console.WriteLine($"seconds: {clock.Elapsed.TotalSeconds:0.0}");
        }
    }

    // Rank 1 dies abruptly (SIGKILL) after the rendezvous: rank 0's next collective must fail naming it.
    private static void Kill(ProcessGroup group)
    {
        using var t = Tensors.Ones([4]);
        group.AllReduce(ReduceOp.Sum, t);
        if (group.Rank == 1) Process.GetCurrentProcess().Kill();
        Thread.Sleep(500);
        group.AllReduce(ReduceOp.Sum, t);
    }

    /// <summary>The small network of the DDP checks (state_dict names as torch.nn.Sequential gives them).</summary>
    public static Sequential SmallNetwork() => new(
        new Conv2d(3, 4, 3, padding: 1, bias: false), new BatchNorm2d(4), new PReLU(4), new Flatten(), new Linear(4 * 6 * 6, 5));

    // One step on a global batch of 8 split over the ranks; every rank writes its averaged gradients, rank 0 also the
    // initial weights and the data for the PyTorch reference.
    private static void DdpStep(ProcessGroup group, string folder, GradientSync sync, bool syncBn, long bucketBytes)
    {
        Engine.ManualSeed(11 + (ulong)group.Rank); // different per rank: DataParallel must broadcast rank 0's weights
        using Sequential net = SmallNetwork();
        using (Engine.NoGrad()) // batch norm away from its initial weight 1, bias 0, so that its affine part is checked too
            foreach (var (name, p) in net.NamedParameters().Where(p => p.Key.StartsWith("1.")))
                using (DisposeScope.Enter()) p.CopyFrom(Tensors.Rand(p.Shape) + 0.5);
        Engine.ManualSeed(7);
        using Tensor x = Tensors.Randn([8, 3, 6, 6]);
        using Tensor labels = Tensors.RandInt(0, 5, [8]);
        int share = 8 / group.WorldSize;
        using var ddp = new DataParallel(group, [net], sync, bucketBytes, syncBn);
        if (group.Rank == 0)
        {
            RawTensors.Write(folder, "initial", net.StateDict());
            RawTensors.Write(folder, "data", [new("x", x), new("labels", labels)]);
        }
        Dictionary<string, Tensor> initialBuffers = net.NamedBuffers().ToDictionary(b => b.Key, b => b.Value.Clone());
        // Twice on the same data and weights (no optimiser step): the second backward runs through the buckets the
        // reducer rebuilt in the order the first produced its gradients, and must give the same averages.
        for (int step = 0; step < 2; step++)
        using (DisposeScope.Enter())
        {
            foreach (Tensor p in net.Parameters()) p.Grad = null;
            if (step == 1) // the first forward moved batch norm's running statistics: the second starts where it did
                using (Engine.NoGrad())
                    foreach (var (name, buffer) in net.NamedBuffers()) buffer.CopyFrom(initialBuffers[name]);
            ddp.BeforeForward();
            Tensor logits = net.Forward(x.Narrow(0, group.Rank * share, share));
            Tensor loss = Functional.CrossEntropy(logits, labels.Narrow(0, group.Rank * share, share));
            ddp.BeforeBackward();
            loss.Backward();
            ddp.AfterBackward();
            if (step == 0) continue;
            var grads = net.NamedParameters().Select(p => new KeyValuePair<string, Tensor>(p.Key, p.Value.Grad!)).ToList();
            RawTensors.Write(folder, $"grads-rank{group.Rank}", grads);
            RawTensors.Write(folder, $"state-rank{group.Rank}", net.StateDict());
        }
        Console.WriteLine($"buckets: {ddp.BucketCount}");
    }

    /// <summary>The data of the Partial FC checks: a global batch of 8 embeddings of size 6 over 7 classes, and the full head.</summary>
    public static (Tensor Embeddings, Tensor Labels, ArcFaceHead Head) PartialFcData()
    {
        Engine.ManualSeed(3);
        var head = new ArcFaceHead(6, 7, scale: 16, margin: 0.5);
        Tensor embeddings = Tensors.Randn([8, 6]);
        Tensor labels = Tensors.FromArray<long>([0, 6, 3, 3, 1, 5, 2, 6]);
        return (embeddings, labels, head);
    }

    // One Partial FC step on this rank's half of the global batch (7 classes: rank 0 holds 4, rank 1 holds 3);
    // writes the loss, the gradient for its embeddings and its centres' gradient.
    private static void PartialFcStep(ProcessGroup group, string folder, double sampleRate)
    {
        var (embeddings, labels, full) = PartialFcData();
        using var pfc = new PartialFc(full, classes => new ArcFaceHead(6, classes, scale: 16, margin: 0.5), group, Device.Cpu, sampleRate, seed: 1);
        using var scope = DisposeScope.Enter();
        Tensor mine = embeddings.Narrow(0, group.Rank * 4, 4), myLabels = labels.Narrow(0, group.Rank * 4, 4);
        PocketNet.Training.Distributed.PartialFcStep step = pfc.Step(mine, myLabels, globalStep: 1);
        RawTensors.Write(folder, $"partial-rank{group.Rank}",
        [
            new("embedding_grad", step.EmbeddingGradient), new("kernel_grad", pfc.Shard.Kernel.Grad!),
            new("loss", Tensors.Scalar(step.Loss, ScalarType.Float64)),
        ]);
        Console.WriteLine($"shard: {pfc.Start}+{pfc.Count}");
    }
}
