namespace PocketNet.Distributed.Tests;

/// <summary>
/// One data-parallel step of a small network (conv, batch norm, PReLU, linear) on two real processes, against
/// PyTorch: DistributedDataParallel under torch.distributed (Gloo, two ranks) for local batch norm, and the
/// single-process global batch for synchronised batch norm.
/// </summary>
public sealed class DataParallelTests
{
    private static WorkerResult[] RunStep(string folder, string sync, string bn, long bucketBytes)
    {
        Directory.CreateDirectory(folder);
        WorkerResult[] ranks = WorkerProcesses.RunRanks(2, WorkerProcesses.TestAssembly, _ => ["ddp-step", folder, sync, bn, bucketBytes.ToString()]);
        foreach (WorkerResult r in ranks) Assert.True(r.ExitCode == 0, r.ToString());
        return ranks;
    }

    private static void AssertSame(string folderA, string stemA, string folderB, string stemB, double tolerance)
    {
        var a = RawTensors.Read(folderA, stemA);
        var b = RawTensors.Read(folderB, stemB);
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var (name, tensor) in a)
        {
            if (tensor.Entry.DType != "float32") continue;
            float[] x = tensor.ToFloats(), y = b[name].ToFloats();
            double scale = Math.Max(1e-6, y.Max(v => Math.Abs(v)));
            double worst = x.Zip(y, (p, q) => Math.Abs(p - q)).Max() / scale;
            Assert.True(worst < tolerance, $"{stemA} vs {stemB}: '{name}' differs by {worst:E2} of its largest element");
        }
    }

    [Fact]
    public void BucketedMatchesPyTorchDdpAndTheUnbucketedPath()
    {
        using var temp = new TempDirectory();
        string bucketed = Path.Combine(temp.Path, "bucketed"), perTensor = Path.Combine(temp.Path, "per-tensor");
        // 256-byte buckets, filled from the last parameter: [linear bias], [linear weight], [PReLU, BN bias, BN weight], [conv]
        WorkerResult[] ranks = RunStep(bucketed, "bucketed", "localbn", 256);
        Assert.Contains("buckets: 4", ranks[0].Output);
        RunStep(perTensor, "pertensor", "localbn", 256);
        PythonRunner.Run("ddp_reference.py", bucketed, "ddp", WorkerProcesses.FreePort().ToString());
        for (int rank = 0; rank < 2; rank++)
        {
            AssertSame(bucketed, $"grads-rank{rank}", bucketed, $"torch-grads-rank{rank}", 1e-5);
            AssertSame(bucketed, $"grads-rank{rank}", perTensor, $"grads-rank{rank}", 1e-6);
        }
    }

    [Fact]
    public void SyncBatchNormGivesTheGradientsOfTheGlobalBatch()
    {
        using var temp = new TempDirectory();
        RunStep(temp.Path, "bucketed", "syncbn", GradientReducerDefaults);
        PythonRunner.Run("ddp_reference.py", temp.Path, "sync");
        for (int rank = 0; rank < 2; rank++)
        {
            AssertSame(temp.Path, $"grads-rank{rank}", temp.Path, "torch-grads", 1e-5);
            AssertSame(temp.Path, $"state-rank{rank}", temp.Path, "torch-state", 1e-5); // running statistics of the global batch
        }
    }

    private const long GradientReducerDefaults = PocketNet.Torch.Distributed.GradientReducer.DefaultBucketBytes;
}
