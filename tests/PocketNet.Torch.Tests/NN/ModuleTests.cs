using PocketNet.Torch.NN;

namespace PocketNet.Torch.Tests.NN;

public class ModuleTests
{
    /// <summary>A tree shaped like a PocketNet cell: a pre-processing Sequential and a list of edge lists.</summary>
    private sealed class CellLike : Module<Tensor, Tensor>
    {
        public CellLike()
        {
            RegisterModule("preproc0", new Wrapper());
            var dag = RegisterModule("dag", new ModuleList<ModuleList<Wrapper>>());
            dag.Add(new ModuleList<Wrapper>([new Wrapper()]));
            dag.Add(new ModuleList<Wrapper>([new Wrapper(), new Wrapper()]));
        }

        public override Tensor Forward(Tensor input) => input.Alias();
    }

    /// <summary>Holds its layers in a Sequential called "net", as the reference's ops do.</summary>
    private sealed class Wrapper : Module<Tensor, Tensor>
    {
        private readonly Sequential _net;

        public Wrapper() => _net = RegisterModule("net", new Sequential(new PReLU(2), new Conv2d(2, 2, 1, bias: false), new BatchNorm2d(2)));

        public override Tensor Forward(Tensor input) => _net.Forward(input);
    }

    [Fact]
    public void StateDictKeysAreTheDottedPathsPyTorchWouldGive()
    {
        using var cell = new CellLike();
        var keys = cell.StateDict().Select(kv => kv.Key).ToList();
        Assert.Equal(
            [
                "preproc0.net.0.weight", "preproc0.net.1.weight", "preproc0.net.2.weight", "preproc0.net.2.bias",
                "preproc0.net.2.running_mean", "preproc0.net.2.running_var", "preproc0.net.2.num_batches_tracked",
            ],
            keys.Take(7));
        Assert.Contains("dag.1.0.net.1.weight", keys);
        Assert.Contains("dag.1.1.net.2.num_batches_tracked", keys);
        Assert.Equal(4 * 7, keys.Count); // preproc0 and three edges
        // parameters exclude buffers
        Assert.Equal(4 * 4, cell.NamedParameters().Count());
        Assert.Equal(4 * (2 + 4 + 2 + 2), cell.ParameterCount());
    }

    [Fact]
    public void TrainAndEvalReachEveryDescendant()
    {
        using var cell = new CellLike();
        cell.Eval();
        Assert.All(cell.NamedModules(), m => Assert.False(m.Value.IsTraining));
        cell.Train();
        Assert.All(cell.NamedModules(), m => Assert.True(m.Value.IsTraining));
    }

    [Fact]
    public void DefaultInitialisationFollowsPyTorch()
    {
        Engine.ManualSeed(1);
        using var conv = new Conv2d(16, 32, 3);
        using var scope = DisposeScope.Enter();
        // kaiming_uniform with a = sqrt(5): gain sqrt(2 / (1 + 5)) times sqrt(3 / fan_in) = 1 / sqrt(fan_in)
        double bound = 1 / Math.Sqrt(16 * 9);
        Assert.InRange(conv.Weight.Abs().Max().Item(), 0.95 * bound, bound);
        Assert.InRange(conv.Bias!.Abs().Max().Item(), 0, bound);
        using var prelu = new PReLU(4);
        Assert.Equal(new float[] { 0.25f, 0.25f, 0.25f, 0.25f }, prelu.Weight.ToArray<float>());
        Assert.True(conv.Weight.RequiresGrad && conv.Weight.IsLeaf);
    }

    [Fact]
    public void LoadStateDictCopiesValues()
    {
        using var a = new Wrapper();
        using var b = new Wrapper();
        b.LoadStateDict(a.StateDict().ToDictionary());
        foreach (var ((_, x), (_, y)) in a.StateDict().Zip(b.StateDict()))
            using (DisposeScope.Enter())
                Assert.True(x.AllClose(y, 0, 0));
    }

    [Fact]
    public void ParametersSurviveTheScopeTheyWereCreatedIn()
    {
        Linear linear;
        using (DisposeScope.Enter()) linear = new Linear(2, 2);
        Assert.False(linear.Weight.IsDisposed);
        linear.Dispose();
        Assert.True(linear.Weight.IsDisposed);
    }

    [Fact]
    public void DuplicateOrDottedNamesAreRejected()
    {
        Assert.Throws<ArgumentException>(() => new Duplicate());
    }

    private sealed class Duplicate : Module
    {
        public Duplicate()
        {
            RegisterModule("a", new Identity());
            RegisterModule("a", new Identity());
        }
    }
}
