using System.Diagnostics;
using System.Text.Json;
using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Bench;

/// <summary>
/// One case of the engine benchmark: our side of the work, run a round at a time, and the keys under
/// which python's reference (bench/python/engine_bench.py) reports the same work.
/// </summary>
internal abstract class EngineCase(EngineSettings settings) : IDisposable
{
    protected EngineSettings Settings { get; } = settings;

    public abstract string Key { get; }

    /// <summary>Timed rounds per side.</summary>
    public abstract int Rounds { get; }

    public abstract string Describe();

    public Dictionary<string, object> PythonSetup() => Settings.PythonSetup(Key);

    /// <summary>Fails when the python side did not set up the same work.</summary>
    public virtual void CheckReference(JsonElement facts)
    {
        int threads = facts.GetProperty("threads").GetInt32();
        if (threads != Engine.Threads)
            throw new InvalidOperationException($"{Key}: PyTorch runs {threads} thread(s), ours {Engine.Threads}");
    }

    public abstract void Warmup(int count);

    /// <summary>One timed round: (metric key, value) pairs, keyed as python reports them.</summary>
    public abstract IEnumerable<(string Key, double Value)> RunRound();

    /// <summary>The rows of this case from all rounds' samples; <paramref name="theirs"/> is null without python.</summary>
    public abstract IEnumerable<ResultRow> Rows(IReadOnlyDictionary<string, double[]> ours, IReadOnlyDictionary<string, double[]>? theirs);

    public virtual void Dispose() { }

    protected static Side? Reference(IReadOnlyDictionary<string, double[]>? theirs, string key) =>
        theirs is null ? null : Side.Of(theirs[key]);
}

/// <summary>zero_grad + forward + mean(y²) + backward per iteration, each iteration in its own DisposeScope.</summary>
internal abstract class TrainingCase : EngineCase
{
    private readonly Module<Tensor, Tensor> _model;
    private readonly Tensor _input;
    private readonly List<Tensor> _parameters;

    protected TrainingCase(EngineSettings settings, Module<Tensor, Tensor> model, Tensor input) : base(settings)
    {
        _model = model;
        _model.Train();
        _input = input;
        // Listed once, as the python side lists model.parameters() once.
        _parameters = model.Parameters().ToList();
    }

    public override int Rounds => Settings.IterationsOf(Key);

    protected abstract string Label { get; }

    public override string Describe() =>
        $"{_model.ParameterCount()} parameters, input [{string.Join(", ", _input.Shape)}]{(_input.RequiresGrad ? " (requires grad)" : "")}";

    public override void CheckReference(JsonElement facts)
    {
        base.CheckReference(facts);
        long theirs = facts.GetProperty("parameters").GetInt64(), ours = _model.ParameterCount();
        if (theirs != ours) throw new InvalidOperationException($"{Key}: the python twin has {theirs} parameters, ours {ours}");
        long[] input = facts.GetProperty("input").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        if (!input.SequenceEqual(_input.Shape)) throw new InvalidOperationException($"{Key}: the python twin's input differs");
    }

    private void Step()
    {
        using var scope = DisposeScope.Enter();
        foreach (Tensor p in _parameters) p.Grad = null;
        if (_input.RequiresGrad) _input.Grad = null;
        Tensor y = _model.Forward(_input);
        Tensor loss = y.Square().Mean();
        loss.Backward();
    }

    public override void Warmup(int count)
    {
        for (int i = 0; i < count; i++) Step();
    }

    public override IEnumerable<(string Key, double Value)> RunRound()
    {
        long faults0 = CpuClock.MinorFaults();
        double cpu0 = CpuClock.Milliseconds();
        long t0 = Stopwatch.GetTimestamp();
        Step();
        double wall = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        double cpu = CpuClock.Milliseconds() - cpu0;
        return [("times_ms", wall), ("cpu_ms", cpu), ("faults", CpuClock.MinorFaults() - faults0)];
    }

    public override IEnumerable<ResultRow> Rows(IReadOnlyDictionary<string, double[]> ours, IReadOnlyDictionary<string, double[]>? theirs) =>
    [
        new ResultRow(Key, Label, "ms", Side.Of(ours["times_ms"]), Reference(theirs, "times_ms")),
        new ResultRow(Key + "_cpu", Label + " (process CPU time)", "ms", Side.Of(ours["cpu_ms"]), Reference(theirs, "cpu_ms")),
        new ResultRow(Key + "_faults", Label + " (minor page faults)", "faults", Side.Of(ours["faults"]), Reference(theirs, "faults")),
    ];

    public override void Dispose()
    {
        _input.Dispose();
        _model.Dispose();
    }
}

internal sealed class BlockCase(EngineSettings s) : TrainingCase(s,
    new DepthwiseSeparable(s.BlockChannels, s.BlockChannels),
    // Inside a network the block's input needs a gradient too; the python side sets requires_grad alike.
    Tensors.Randn([s.Batch, s.BlockChannels, s.BlockSize, s.BlockSize]).RequiresGradient())
{
    public override string Key => "block";

    protected override string Label =>
        $"block fwd+bwd, C={Settings.BlockChannels} {Settings.BlockSize}x{Settings.BlockSize}, batch {Settings.Batch}";
}

internal sealed class NetCase(EngineSettings s) : TrainingCase(s, new FaceNetLite(s.Embedding), Tensors.Randn([s.Batch, 3, s.Size, s.Size]))
{
    public override string Key => "net";

    protected override string Label => $"net fwd+bwd, 3x{Settings.Size}x{Settings.Size}, batch {Settings.Batch}";
}

/// <summary>
/// Microseconds per binding call. The compared forms: `x + 1` on a 1-element tensor as a training step
/// would write it (the result owned by an open DisposeScope and disposed right after use; the scope's
/// closing is timed too), and `x.Dim`, which is a bare P/Invoke. The other forms split the cost of the
/// first and have no python counterpart.
/// </summary>
internal sealed class CallCase : EngineCase
{
    private readonly Tensor _x = Tensors.Ones([1]);
    private readonly (string Key, Action<int> Loop)[] _forms;
    private int _sink;

    public CallCase(EngineSettings settings) : base(settings)
    {
        _forms =
        [
            ("add_us", AddScoped), ("dim_us", Dim), ("add_no_scope_us", AddNoScope), ("add_left_to_scope_us", AddLeftToScope),
            ("scope_per_call_us", ScopePerCall), ("shape_us", Shape),
        ];
    }

    public override string Key => "call";

    public override int Rounds => Settings.Rounds;

    public override string Describe() => $"{Settings.Calls} calls per round and form";

    private void AddScoped(int count)
    {
        using var scope = DisposeScope.Enter();
        for (int i = 0; i < count; i++) (_x + 1).Dispose();
    }

    private void Dim(int count)
    {
        for (int i = 0; i < count; i++) _sink += _x.Dim;
    }

    private void AddNoScope(int count)
    {
        for (int i = 0; i < count; i++) (_x + 1).Dispose();
    }

    private void AddLeftToScope(int count)
    {
        using var scope = DisposeScope.Enter();
        for (int i = 0; i < count; i++) _ = _x + 1;
    }

    private void ScopePerCall(int count)
    {
        for (int i = 0; i < count; i++)
        {
            using var scope = DisposeScope.Enter();
            _ = _x + 1;
        }
    }

    private void Shape(int count)
    {
        for (int i = 0; i < count; i++) _sink += _x.Shape.Length;
    }

    public override void Warmup(int count)
    {
        // The JIT must have promoted every method on the path (the loops, the operators, the P/Invoke
        // stubs) to optimised code before timing: tiered compilation counts calls of each method and
        // recompiles it in the background, so call each form many times in short loops, give the
        // background compiler time, and then run the requested warm-up.
        for (int pass = 0; pass < 3; pass++)
        {
            foreach (var (_, loop) in _forms)
                for (int i = 0; i < 50; i++) loop(100);
            Thread.Sleep(200);
        }
        foreach (var (_, loop) in _forms) loop(Math.Max(1, count * Settings.Calls / 10));
    }

    public override IEnumerable<(string Key, double Value)> RunRound()
    {
        var round = new List<(string, double)>();
        foreach (var (key, loop) in _forms)
        {
            long t0 = Stopwatch.GetTimestamp();
            loop(Settings.Calls);
            round.Add((key, Stopwatch.GetElapsedTime(t0).TotalMicroseconds / Settings.Calls));
        }
        return round;
    }

    public override IEnumerable<ResultRow> Rows(IReadOnlyDictionary<string, double[]> ours, IReadOnlyDictionary<string, double[]>? theirs) =>
    [
        new("call_add", "call: x + 1 (1 element, disposed in a scope)", "us", Side.Of(ours["add_us"]), Reference(theirs, "add_us")),
        new("call_dim", "call: x.Dim vs x.dim() (no tensor made)", "us", Side.Of(ours["dim_us"]), Reference(theirs, "dim_us")),
        new("call_add_no_scope", "x + 1, no scope open, Dispose() each", "us", Side.Of(ours["add_no_scope_us"]), null,
            "binding cost without DisposeScope bookkeeping", Diagnostic: true),
        new("call_add_left_to_scope", "x + 1, all left to one scope", "us", Side.Of(ours["add_left_to_scope_us"]), null,
            "the scope frees the handles when it closes (timed)", Diagnostic: true),
        new("call_scope_per_call", "x + 1 in its own DisposeScope", "us", Side.Of(ours["scope_per_call_us"]), null,
            "one scope open/close per call", Diagnostic: true),
        new("call_shape", "x.Shape", "us", Side.Of(ours["shape_us"]), null, "two P/Invokes (dim, sizes) and an array", Diagnostic: true),
    ];

    public override void Dispose()
    {
        GC.KeepAlive(_sink);
        _x.Dispose();
    }
}
