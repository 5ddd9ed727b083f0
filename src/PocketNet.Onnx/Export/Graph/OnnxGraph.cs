namespace PocketNet.Onnx.Export.Graph;

/// <summary>
/// The exporter's own graph, before it becomes protobuf: nodes in topological (emission) order, constant
/// tensors by name, and the rank of every value (what PReLU slopes and per-channel constants need).
/// Batch norms stay <see cref="BatchNormNode"/>s with their statistics until <see cref="BatchNormFolding"/>
/// folds them into the producer or lowers them to ONNX operators.
/// </summary>
internal sealed class OnnxGraph
{
    private readonly Dictionary<string, int> _ranks = new(StringComparer.Ordinal);
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _sharedConstants = new(StringComparer.Ordinal);

    public OnnxGraph(string inputName, int inputRank)
    {
        InputName = Claim(inputName);
        _ranks[InputName] = inputRank;
    }

    public string InputName { get; }

    /// <summary>The value the graph returns, set once the network is emitted.</summary>
    public string? OutputName { get; set; }

    public List<GraphNode> Nodes { get; } = new();

    public Dictionary<string, ConstantTensor> Initializers { get; } = new(StringComparer.Ordinal);

    public int RankOf(string value) =>
        _ranks.TryGetValue(value, out int rank) ? rank : throw new InvalidOperationException($"value '{value}' has no known rank");

    /// <summary>A fresh value or node name derived from <paramref name="hint"/> (suffixed when taken).</summary>
    public string UniqueName(string hint)
    {
        string name = hint.Length == 0 ? "v" : hint;
        for (int i = 1; _names.Contains(name); i++) name = $"{hint}_{i}";
        return Claim(name);
    }

    /// <summary>Appends a node with one output; its rank is <paramref name="outputRank"/> or the first input's.</summary>
    public string Add(string opType, string nameHint, IReadOnlyList<string> inputs, IReadOnlyDictionary<string, AttributeValue>? attributes = null,
        int? outputRank = null)
    {
        string output = UniqueName(nameHint);
        Nodes.Add(new GraphNode(opType, UniqueName(nameHint + "/" + opType), inputs.ToList(), [output],
            attributes is null ? new() : new Dictionary<string, AttributeValue>(attributes)));
        _ranks[output] = outputRank ?? RankOf(inputs[0]);
        return output;
    }

    public string AddBatchNorm(string nameHint, string input, BatchNormParameters parameters)
    {
        string output = UniqueName(nameHint);
        Nodes.Add(new BatchNormNode(UniqueName(nameHint + "/BatchNorm"), input, output, parameters));
        _ranks[output] = RankOf(input);
        return output;
    }

    public string AddInitializer(string nameHint, ConstantTensor tensor)
    {
        string name = UniqueName(nameHint);
        Initializers[name] = tensor;
        return name;
    }

    /// <summary>A small constant (a Slice bound, a Clip limit) shared by every node that uses the same value.</summary>
    public string SharedConstant(string nameHint, ConstantTensor tensor)
    {
        string key = tensor.Key();
        if (_sharedConstants.TryGetValue(key, out string? existing)) return existing;
        string name = AddInitializer(nameHint, tensor);
        _sharedConstants[key] = name;
        return name;
    }

    /// <summary>The lowest opset that has every operator written so far (13 unless a node needs a newer one).</summary>
    public int MinimumOpset { get; private set; } = 13;

    /// <summary>What set <see cref="MinimumOpset"/> (for the error when a lower opset is asked for).</summary>
    public string? MinimumOpsetReason { get; private set; }

    /// <summary>Records that a node needs <paramref name="opset"/> or later (LayerNormalization: 17).</summary>
    public void RequireOpset(int opset, string reason)
    {
        if (opset <= MinimumOpset) return;
        (MinimumOpset, MinimumOpsetReason) = (opset, reason);
    }

    private string Claim(string name)
    {
        if (!_names.Add(name)) throw new InvalidOperationException($"the name '{name}' is already used in the graph");
        return name;
    }
}

/// <summary>One ONNX node: operator, inputs and outputs by value name, attributes.</summary>
internal class GraphNode(string opType, string name, List<string> inputs, List<string> outputs, Dictionary<string, AttributeValue> attributes)
{
    public string OpType { get; } = opType;
    public string Name { get; } = name;
    public List<string> Inputs { get; } = inputs;
    public List<string> Outputs { get; } = outputs;
    public Dictionary<string, AttributeValue> Attributes { get; } = attributes;
}

/// <summary>A batch norm in eval mode, kept symbolic so that it can be folded into its producer.</summary>
internal sealed class BatchNormNode(string name, string input, string output, BatchNormParameters parameters)
    : GraphNode("BatchNormalization", name, [input], [output], new())
{
    public BatchNormParameters Parameters { get; } = parameters;
}

/// <summary>
/// Eval-mode statistics of a batch norm in double precision: y = (x - mean) / sqrt(var + eps) * gamma + beta
/// = x * Scale + Shift per channel.
/// </summary>
internal sealed record BatchNormParameters(double[] Gamma, double[] Beta, double[] Mean, double[] Variance, double Epsilon)
{
    public int Channels => Mean.Length;

    public double Scale(int c) => Gamma[c] / Math.Sqrt(Variance[c] + Epsilon);

    public double Shift(int c) => Beta[c] - Mean[c] * Scale(c);

    /// <summary>Channels [start, start + count) as a batch norm of their own (for a BN after a Concat).</summary>
    public BatchNormParameters Slice(int start, int count) => new(
        Gamma[start..(start + count)], Beta[start..(start + count)], Mean[start..(start + count)], Variance[start..(start + count)], Epsilon);
}

/// <summary>An ONNX attribute value: an int, float, string or list of ints.</summary>
internal readonly record struct AttributeValue(long? Int = null, float? Float = null, string? String = null, long[]? Ints = null)
{
    public static implicit operator AttributeValue(long value) => new(Int: value);
    public static implicit operator AttributeValue(float value) => new(Float: value);
    public static implicit operator AttributeValue(string value) => new(String: value);
    public static implicit operator AttributeValue(long[] value) => new(Ints: value);
}

/// <summary>A constant tensor: float or int64 data with its dimensions (empty dimensions: a scalar).</summary>
internal sealed class ConstantTensor
{
    private ConstantTensor(long[] dims, float[]? floats, long[]? longs)
    {
        long count = dims.Aggregate(1L, (a, b) => a * b);
        if ((floats?.LongLength ?? longs!.LongLength) != count)
            throw new ArgumentException($"constant of shape [{string.Join(", ", dims)}] needs {count} values");
        (Dims, Floats, Longs) = (dims, floats, longs);
    }

    public long[] Dims { get; }
    public float[]? Floats { get; }
    public long[]? Longs { get; }

    public static ConstantTensor Float(float[] data, params long[] dims) => new(dims, data, null);

    public static ConstantTensor Int64(long[] data, params long[] dims) => new(dims, null, data);

    public static ConstantTensor FloatScalar(float value) => new([], [value], null);

    public static ConstantTensor Int64Vector(params long[] values) => new([values.Length], null, values);

    internal string Key() =>
        $"{(Floats is null ? "i64" : "f32")}[{string.Join(",", Dims)}]:" +
        (Floats is null ? string.Join(",", Longs!) : string.Join(",", Floats.Select(f => BitConverter.SingleToInt32Bits(f))));
}
