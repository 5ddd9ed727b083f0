using System.Text.Json.Nodes;
using PocketNet.Torch.Optim;

namespace PocketNet.Torch.Tests.Optim;

/// <summary>One parameter group of a reference case: parameter indices and optional overrides.</summary>
internal sealed record CaseGroup(int[] Params, double? LearningRate = null, double? WeightDecay = null);

/// <summary>
/// One optimiser run, described once and executed twice: by PyTorch (through optim_reference.py) and
/// by the engine (<see cref="RunEngine"/>), on identical float64 initial values.
/// </summary>
internal sealed class ReferenceCase
{
    public required string Name { get; init; }
    public required string Optimizer { get; init; }
    public required JsonObject PythonOptions { get; init; }
    public required Func<IEnumerable<ParamGroup>, Optimizer> Create { get; init; }
    public int Steps { get; init; } = 5;
    public CaseGroup[]? Groups { get; init; }
    public double[]? LearningRates { get; init; }

    /// <summary>Per step, per parameter: the gradient to install, or null for none (the "grads" problem).</summary>
    public double[]?[][]? FixedGrads { get; init; }

    public (long[] Shape, double[] Data)[] Params { get; init; } = LeastSquares.InitialParams();

    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["name"] = Name,
            ["optimizer"] = Optimizer,
            ["options"] = PythonOptions.DeepClone(),
            ["steps"] = Steps,
            ["params"] = new JsonArray(Params.Select(p => (JsonNode)new JsonObject
            {
                ["shape"] = ToArray(p.Shape.Select(s => (double)s)),
                ["data"] = ToArray(p.Data),
            }).ToArray()),
        };
        if (Groups is not null)
            json["groups"] = new JsonArray(Groups.Select(g =>
            {
                var o = new JsonObject { ["params"] = ToArray(g.Params.Select(i => (double)i)) };
                if (g.LearningRate is { } lr) o["lr"] = lr;
                if (g.WeightDecay is { } wd) o["weight_decay"] = wd;
                return (JsonNode)o;
            }).ToArray());
        if (LearningRates is not null) json["lrs"] = ToArray(LearningRates);
        if (FixedGrads is null)
        {
            json["problem"] = "least_squares";
            json["x"] = new JsonArray(LeastSquares.X().Select(r => (JsonNode)ToArray(r)).ToArray());
            json["y"] = new JsonArray(LeastSquares.Y().Select(r => (JsonNode)ToArray(r)).ToArray());
        }
        else
        {
            json["problem"] = "grads";
            json["grads"] = new JsonArray(FixedGrads.Select(step =>
                (JsonNode)new JsonArray(step.Select(g => g is null ? null : (JsonNode)ToArray(g)).ToArray())).ToArray());
        }
        return json;
    }

    private static JsonArray ToArray(IEnumerable<double> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());

    /// <summary>Runs the case on the engine; returns the final parameters and the optimiser state, copied out.</summary>
    public EngineResult RunEngine()
    {
        using var scope = DisposeScope.Enter();
        Tensor[] parameters = Params.Select(p => Tensors.FromArray(p.Data, p.Shape).RequiresGradient()).ToArray();
        ParamGroup[] groups = Groups is null
            ? [new ParamGroup(parameters)]
            : Groups.Select(g => new ParamGroup(g.Params.Select(i => parameters[i]), g.LearningRate, g.WeightDecay)).ToArray();
        using Optimizer optimizer = Create(groups);
        Tensor x = Tensors.FromArray(LeastSquares.X().SelectMany(r => r).ToArray(), LeastSquares.N, LeastSquares.K);
        Tensor y = Tensors.FromArray(LeastSquares.Y().SelectMany(r => r).ToArray(), LeastSquares.N, LeastSquares.M);

        for (int step = 0; step < Steps; step++)
        {
            using var stepScope = DisposeScope.Enter();
            if (LearningRates is not null) optimizer.LearningRate = LearningRates[step];
            optimizer.ZeroGrad();
            if (FixedGrads is null)
                LeastSquares.Loss(x, y, parameters[0], parameters[1]).Backward();
            else
                for (int i = 0; i < parameters.Length; i++)
                    if (FixedGrads[step][i] is { } g)
                        parameters[i].Grad = Tensors.FromArray(g, Params[i].Shape);
            optimizer.Step();
        }

        OptimizerState state = optimizer.StateDict();
        return new EngineResult(
            parameters.Select(p => p.ToArray<double>()).ToArray(),
            state.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray<double>()),
            state.Scalars.State.ToDictionary(kv => kv.Key, kv => kv.Value.Step));
    }
}

internal sealed record EngineResult(double[][] Params, Dictionary<string, double[]> StateTensors, Dictionary<string, long> Steps);

/// <summary>
/// The shared problem: fit y = x W^T + b by mean squared error. A third parameter is left out of the
/// loss, so it never receives a gradient and must be skipped untouched.
/// </summary>
internal static class LeastSquares
{
    public const int N = 6, K = 4, M = 3;

    // Fixed, irregular values (no RNG) so both sides start from exactly the same numbers.
    private static double Value(int seed, int i) => Math.Round(Math.Sin(seed * 12.9898 + i * 78.233) * 1.5, 6);

    public static double[][] X() => Enumerable.Range(0, N).Select(r => Enumerable.Range(0, K).Select(c => Value(1, r * K + c)).ToArray()).ToArray();

    public static double[][] Y() => Enumerable.Range(0, N).Select(r => Enumerable.Range(0, M).Select(c => Value(2, r * M + c)).ToArray()).ToArray();

    public static (long[] Shape, double[] Data)[] InitialParams() =>
    [
        ([M, K], Enumerable.Range(0, M * K).Select(i => Value(3, i) * 0.5).ToArray()),
        ([M], Enumerable.Range(0, M).Select(i => Value(4, i) * 0.5).ToArray()),
        ([2], [0.25, -0.75]),
    ];

    public static Tensor Loss(Tensor x, Tensor y, Tensor w, Tensor b) => (x.MatMul(w.Transpose(0, 1)) + b - y).Square().Mean();
}
