using PocketNet.Torch.Optim;

namespace PocketNet.Torch.Tests.Optim;

public sealed class OptimizerStateTests
{
    /// <summary>A float32 least-squares model that trains its own copy of the initial parameters.</summary>
    private sealed class Problem : IDisposable
    {
        private readonly Tensor _x, _y;

        public Problem()
        {
            using var scope = DisposeScope.Enter();
            _x = Tensors.FromArray(LeastSquares.X().SelectMany(r => r.Select(v => (float)v)).ToArray(), LeastSquares.N, LeastSquares.K).DetachFromScope();
            _y = Tensors.FromArray(LeastSquares.Y().SelectMany(r => r.Select(v => (float)v)).ToArray(), LeastSquares.N, LeastSquares.M).DetachFromScope();
            Params = LeastSquares.InitialParams()
                .Select(p => Tensors.FromArray(p.Data.Select(v => (float)v).ToArray(), p.Shape).RequiresGradient().DetachFromScope())
                .ToArray();
        }

        public Tensor[] Params { get; }

        public ParamGroup[] Groups() => [new ParamGroup([Params[0]], weightDecay: 0.01), new ParamGroup([Params[1], Params[2]], learningRate: 0.02)];

        public void Run(Optimizer optimizer, int steps)
        {
            for (int i = 0; i < steps; i++)
            {
                using var scope = DisposeScope.Enter();
                optimizer.ZeroGrad();
                LeastSquares.Loss(_x, _y, Params[0], Params[1]).Backward();
                optimizer.Step();
            }
        }

        public float[][] Values() => Params.Select(p => p.ToArray<float>()).ToArray();

        public void Dispose()
        {
            _x.Dispose();
            _y.Dispose();
            foreach (Tensor p in Params) p.Dispose();
        }
    }

    public static IEnumerable<object[]> Kinds => [["sgd"], ["nesterov"], ["adam"], ["amsgrad"], ["adamw"]];

    private static Optimizer Create(string kind, IEnumerable<ParamGroup> groups) => kind switch
    {
        "sgd" => new Sgd(groups, learningRate: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 5e-4),
        "nesterov" => new Sgd(groups, learningRate: 0.05, momentum: 0.9, weightDecay: 5e-4, nesterov: true),
        "adam" => new Adam(groups, learningRate: 0.01, weightDecay: 1e-3),
        "amsgrad" => new Adam(groups, learningRate: 0.01, amsgrad: true),
        "adamw" => new AdamW(groups, learningRate: 0.01, weightDecay: 0.1),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void SaveRestoreResumesExactly(string kind)
    {
        using var straight = new Problem();
        using (Optimizer optimizer = Create(kind, straight.Groups())) straight.Run(optimizer, 5);

        using var resumed = new Problem();
        Dictionary<string, Tensor> saved;
        string json;
        using (Optimizer first = Create(kind, resumed.Groups()))
        {
            resumed.Run(first, 3);
            first.LearningRate = 0.03; // a schedule moved the rate: the restored optimiser must pick it up
            OptimizerState state = first.StateDict();
            // As a checkpoint would: copies of the buffers, the scalars through JSON text.
            saved = state.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value.Clone().DetachFromScope());
            json = state.Scalars.ToJson();
        }
        using (Optimizer second = Create(kind, resumed.Groups()))
        {
            second.LoadState(saved, OptimizerScalars.FromJson(json));
            foreach (Tensor t in saved.Values) t.Dispose(); // loading copied them
            Assert.Equal(0.03, second.LearningRate);
            second.LearningRate = kind is "adam" or "amsgrad" or "adamw" ? 0.01 : 0.05;
            second.ParamGroups[1].LearningRate = 0.02;
            resumed.Run(second, 2);
        }

        float[][] expected = straight.Values(), actual = resumed.Values();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i]);
    }

    [Fact]
    public void StateDictUsesPyTorchNamesAndJsonRoundTrips()
    {
        using var problem = new Problem();
        using var adam = new Adam(problem.Groups(), amsgrad: true);
        problem.Run(adam, 2);
        OptimizerState state = adam.StateDict();
        Assert.Equal(
            ["state.0.exp_avg", "state.0.exp_avg_sq", "state.0.max_exp_avg_sq", "state.1.exp_avg", "state.1.exp_avg_sq", "state.1.max_exp_avg_sq"],
            state.Tensors.Select(kv => kv.Key));

        string json = state.Scalars.ToJson();
        Assert.Contains("\"param_groups\"", json);
        OptimizerScalars back = OptimizerScalars.FromJson(json);
        Assert.Equal("Adam", back.Optimizer);
        Assert.Equal([0], back.ParamGroups[0].Params);
        Assert.Equal([1, 2], back.ParamGroups[1].Params);
        Assert.Equal(0.001, back.ParamGroups[0].LearningRate);
        Assert.Equal(0.02, back.ParamGroups[1].LearningRate);
        Assert.Equal(0.01, back.ParamGroups[0].WeightDecay);
        Assert.Equal(1, back.ParamGroups[0].Options["amsgrad"]);
        Assert.Equal(2, back.State["0"].Step);
        Assert.False(back.State.ContainsKey("2")); // never had a gradient
    }

    [Fact]
    public void MismatchedStateIsRefusedAndLeavesTheOptimiserUnchanged()
    {
        using var problem = new Problem();
        using var sgd = new Sgd(problem.Groups(), learningRate: 0.1, momentum: 0.9);
        problem.Run(sgd, 1);
        OptimizerState good = sgd.StateDict();
        float[] before = good.Tensors[0].Value.ToArray<float>();
        var tensors = good.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value);

        using var adam = new Adam(problem.Groups());
        Assert.Throws<ArgumentException>(() => adam.LoadState(good)); // saved by another optimiser
        // Adam's and AdamW's buffers share names, but a resumed run must not silently switch how it decays.
        problem.Run(adam, 1);
        using var adamW = new AdamW(problem.Groups());
        var adamState = adam.StateDict();
        Assert.Contains("saved by Adam, not AdamW", Assert.Throws<ArgumentException>(() => adamW.LoadState(adamState)).Message);

        using var scope = DisposeScope.Enter();
        var wrongShape = new Dictionary<string, Tensor>(tensors) { ["state.1.momentum_buffer"] = Tensors.Zeros([5]) };
        Assert.Throws<ArgumentException>(() => sgd.LoadState(wrongShape, good.Scalars));
        var extra = new Dictionary<string, Tensor>(tensors) { ["state.0.exp_avg"] = Tensors.Zeros([3, 4]) };
        Assert.Throws<ArgumentException>(() => sgd.LoadState(extra, good.Scalars));
        var missing = new Dictionary<string, Tensor>(tensors);
        missing.Remove("state.0.momentum_buffer");
        Assert.Throws<ArgumentException>(() => sgd.LoadState(missing, good.Scalars));
        var oneGroup = good.Scalars with { ParamGroups = [good.Scalars.ParamGroups[0]] };
        Assert.Throws<ArgumentException>(() => sgd.LoadState(tensors, oneGroup));

        Assert.Equal(before, sgd.StateDict().Tensors[0].Value.ToArray<float>());
    }

    [Fact]
    public void ZeroGradClearsGradients()
    {
        using var problem = new Problem();
        using var sgd = new Sgd(problem.Params, learningRate: 0.1);
        problem.Run(sgd, 1);
        Assert.NotNull(problem.Params[0].Grad);
        sgd.ZeroGrad();
        Assert.All(problem.Params, p => Assert.Null(p.Grad));
    }

    [Fact]
    public void ConstructionIsValidated()
    {
        using var scope = DisposeScope.Enter();
        Tensor p = Tensors.Zeros([2]).RequiresGradient();
        Assert.Throws<ArgumentException>(() => new Sgd([p], 0.1, nesterov: true));
        Assert.Throws<ArgumentException>(() => new Sgd([p], 0.1, momentum: 0.9, dampening: 0.1, nesterov: true));
        Assert.Throws<ArgumentException>(() => new Sgd([p, p], 0.1));
        Assert.Throws<ArgumentException>(() => new Sgd(Array.Empty<Tensor>(), 0.1));
        Assert.Throws<ArgumentException>(() => new Sgd([p * 2], 0.1)); // not a leaf
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd([p], -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam([p], beta1: 1));

        var group = new ParamGroup([p]);
        using (new Sgd([group], 0.1))
            Assert.Throws<ArgumentException>(() => new Adam([group])); // one optimiser per group
        using var again = new Adam([group]); // free again once its optimiser is disposed
    }
}
