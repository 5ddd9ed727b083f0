using System.Text.Json;
using System.Text.Json.Serialization;

namespace PocketNet.Torch.Optim;

/// <summary>
/// Everything an optimiser needs to resume exactly, split as a checkpoint stores it: the per-parameter
/// buffers as named tensors (<c>state.{paramIndex}.{buffer}</c>, parameters numbered across groups in
/// order, as PyTorch numbers them) and the scalars as a JSON-able record.
/// </summary>
/// <remarks>
/// Tensors returned by <see cref="Optimizer.StateDict"/> are the optimiser's own live buffers: save them
/// before the next step and do not dispose them. <see cref="Optimizer.LoadState(OptimizerState)"/> copies,
/// so the caller may dispose what it passed in afterwards.
/// </remarks>
public sealed class OptimizerState(IReadOnlyList<KeyValuePair<string, Tensor>> tensors, OptimizerScalars scalars)
{
    public IReadOnlyList<KeyValuePair<string, Tensor>> Tensors { get; } = tensors ?? throw new ArgumentNullException(nameof(tensors));

    public OptimizerScalars Scalars { get; } = scalars ?? throw new ArgumentNullException(nameof(scalars));

    /// <summary>The tensor key of one buffer of one parameter.</summary>
    public static string TensorKey(int parameterIndex, string buffer) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"state.{parameterIndex}.{buffer}");
}

/// <summary>The scalar part of an optimiser's state, shaped like PyTorch's state_dict without its tensors.</summary>
public sealed record OptimizerScalars
{
    /// <summary>The optimiser's type name (<c>Sgd</c>, <c>Adam</c>); loading into another type is refused.</summary>
    [JsonPropertyName("optimizer")]
    public required string Optimizer { get; init; }

    [JsonPropertyName("param_groups")]
    public required IReadOnlyList<ParamGroupScalars> ParamGroups { get; init; }

    /// <summary>Per-parameter scalars, keyed by the parameter's index (as a string, as JSON keys are).</summary>
    [JsonPropertyName("state")]
    public required IReadOnlyDictionary<string, ParameterScalars> State { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, OptimizerJsonContext.Default.OptimizerScalars);

    public static OptimizerScalars FromJson(string json) =>
        JsonSerializer.Deserialize(json, OptimizerJsonContext.Default.OptimizerScalars)
        ?? throw new JsonException("the optimiser state JSON is null");
}

/// <summary>One parameter group: its learning rate and weight decay, and which parameters it holds.</summary>
public sealed record ParamGroupScalars
{
    [JsonPropertyName("lr")]
    public required double LearningRate { get; init; }

    [JsonPropertyName("weight_decay")]
    public required double WeightDecay { get; init; }

    [JsonPropertyName("lr_scale")]
    public double LearningRateScale { get; init; } = 1;

    /// <summary>Indices of the group's parameters, counted across all groups.</summary>
    [JsonPropertyName("params")]
    public required IReadOnlyList<int> Params { get; init; }

    /// <summary>The optimiser's other hyper-parameters (momentum, betas...), recorded for inspection.</summary>
    [JsonPropertyName("options")]
    public IReadOnlyDictionary<string, double> Options { get; init; } = new Dictionary<string, double>();
}

/// <summary>Scalars of one parameter's state.</summary>
public sealed record ParameterScalars
{
    /// <summary>How many updates the parameter has received (Adam's bias correction depends on it).</summary>
    [JsonPropertyName("step")]
    public required long Step { get; init; }
}

[JsonSerializable(typeof(OptimizerScalars))]
internal sealed partial class OptimizerJsonContext : JsonSerializerContext;
