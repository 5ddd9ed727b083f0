using PocketNet.Torch.NN;
using PocketNet.Torch.Optim;
using Xunit.Abstractions;

namespace PocketNet.Torch.Tests.Memory;

[Collection(MemoryCollection.Name)]
public class TrainingMemoryTests(ITestOutputHelper output)
{
    /// <summary>A small conv net with the layer kinds PocketNet uses: conv, depthwise conv, BN, PReLU, pooling, linear.</summary>
    private sealed class TinyNet : Module<Tensor, Tensor>
    {
        private readonly Sequential _features;
        private readonly Linear _classifier;

        public TinyNet()
        {
            _features = RegisterModule("features", new Sequential(
                new Conv2d(3, 8, 3, stride: 2, padding: 1, bias: false), new BatchNorm2d(8), new PReLU(8),
                new Conv2d(8, 8, 3, padding: 1, groups: 8, bias: false), new Conv2d(8, 16, 1, bias: false), new BatchNorm2d(16),
                new MaxPool2d(3, 2, 1)));
            _classifier = RegisterModule("classifier", new Linear(16 * 4 * 4, 10));
        }

        public override Tensor Forward(Tensor input) => _classifier.Forward(_features.Forward(input).Flatten(1));
    }

    [Fact]
    public void ThousandsOfTrainingStepsHoldResidentMemoryAndHandlesFlat()
    {
        Engine.ManualSeed(3);
        using var net = new TinyNet();
        using var sgd = new Sgd(net.Parameters(), learningRate: 0.05, momentum: 0.9, weightDecay: 5e-4);
        using var inputs = Tensors.Randn([16, 3, 16, 16]);
        using var labels = Tensors.RandInt(0, 10, [16]);

        double firstLoss = 0, lastLoss = 0;
        void Steps(int count)
        {
            for (int i = 0; i < count; i++)
            {
                using var step = DisposeScope.Enter();
                sgd.ZeroGrad();
                var loss = Functional.CrossEntropy(net.Forward(inputs.FlipHorizontal()), labels);
                loss.Backward();
                sgd.Step();
                lastLoss = loss.Item();
            }
        }

        Steps(1);
        firstLoss = lastLoss;
        Steps(200); // warm-up: allocator caches, momentum buffers, JIT
        long handles = Tensor.LiveCount;
        long rssBefore = ResidentBytes();
        Steps(3000);
        long rssAfter = ResidentBytes();

        output.WriteLine($"RSS {rssBefore / 1e6:F1} MB -> {rssAfter / 1e6:F1} MB over 3000 steps; loss {firstLoss:F4} -> {lastLoss:F4}");
        Assert.Equal(handles, Tensor.LiveCount);
        Assert.True(rssAfter - rssBefore < 20_000_000, $"resident memory grew by {(rssAfter - rssBefore) / 1e6:F1} MB");
        Assert.True(lastLoss < firstLoss / 10, "the network should fit its fixed batch");
    }

    /// <summary>Resident set size from /proc (Process.WorkingSet64 caches and lags).</summary>
    private static long ResidentBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        string statm = File.ReadAllText("/proc/self/statm");
        return long.Parse(statm.Split(' ')[1]) * Environment.SystemPageSize;
    }
}
