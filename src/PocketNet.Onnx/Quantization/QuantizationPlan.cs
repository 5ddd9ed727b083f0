using OnnxProto = global::Onnx;

namespace PocketNet.Onnx.Quantization;

/// <summary>A Conv, Gemm or MatMul whose weight is a constant: its weight becomes int8 per output channel.</summary>
internal sealed record WeightedNode(OnnxProto.NodeProto Node, int WeightAxis, string? Bias);

/// <summary>
/// What the quantiser changes in a float graph, decided from the graph alone before calibration:
/// <list type="bullet">
/// <item>every Conv, Gemm and MatMul with a constant weight: its activation input and its output get a
/// QuantizeLinear/DequantizeLinear pair, its weight (and bias) become integers behind a DequantizeLinear, so ONNX
/// Runtime fuses the group into QLinearConv / QGemm / QLinearMatMul. When the output's only reader is a Relu or
/// Clip, that activation's output is quantised instead: ONNX Runtime then folds the activation into the Q node
/// (the uint8 range already clips at zero) and still fuses the convolution;</item>
/// <item>Add, Concat and the pools whose every input is already quantised: their output too, so they run as
/// QLinearAdd, QLinearConcat, QLinearAveragePool, or as a MaxPool on the uint8 values. MaxPool's output shares its
/// input's parameters, which is what lets ONNX Runtime drop its Q/DQ pair;</item>
/// <item>nothing else: operators without int8 kernels (PReLU's Mul/Sub/Relu form, Flatten, BatchNormalization)
/// stay float, and quantising around them would only add conversions.</item>
/// </list>
/// </summary>
internal sealed class QuantizationPlan
{
    private static readonly HashSet<string> ActivationOperators = ["Add", "Concat", "MaxPool", "AveragePool", "GlobalAveragePool"];

    private QuantizationPlan(IReadOnlyList<WeightedNode> weighted, IReadOnlyList<string> tensors,
        IReadOnlyDictionary<string, string> shared, IReadOnlyList<OnnxProto.NodeProto> activationNodes)
    {
        (Weighted, Tensors, SharedParameters, ActivationNodes) = (weighted, tensors, shared, activationNodes);
    }

    public IReadOnlyList<WeightedNode> Weighted { get; }

    /// <summary>Every float activation tensor to quantise, in graph order (the graph input first when it is one).</summary>
    public IReadOnlyList<string> Tensors { get; }

    /// <summary>Tensors that take another tensor's parameters (a MaxPool's output takes its input's).</summary>
    public IReadOnlyDictionary<string, string> SharedParameters { get; }

    /// <summary>The Add, Concat and pool nodes that run on quantised values.</summary>
    public IReadOnlyList<OnnxProto.NodeProto> ActivationNodes { get; }

    /// <summary>Tensors whose range must be calibrated (those that do not share another's).</summary>
    public IEnumerable<string> Calibrated => Tensors.Where(t => !SharedParameters.ContainsKey(t));

    public static QuantizationPlan For(OnnxProto.GraphProto graph)
    {
        var constants = graph.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        // Outputs computed from constants alone (Constant nodes, PReLU's 1 - s) are constants too.
        foreach (OnnxProto.NodeProto node in graph.Node)
            if (node.OpType == "Constant" || node.Input.Where(i => i.Length > 0).All(constants.Contains))
                foreach (string output in node.Output) constants.Add(output);
        var initializers = graph.Initializer.ToDictionary(i => i.Name, StringComparer.Ordinal);
        var graphOutputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var readers = new Dictionary<string, List<OnnxProto.NodeProto>>(StringComparer.Ordinal);
        foreach (OnnxProto.NodeProto node in graph.Node)
            foreach (string input in node.Input.Where(i => i.Length > 0).Distinct())
                (readers.TryGetValue(input, out var list) ? list : readers[input] = []).Add(node);

        var quantised = new HashSet<string>(StringComparer.Ordinal);
        var weighted = new List<WeightedNode>();
        foreach (OnnxProto.NodeProto node in graph.Node)
        {
            if (WeightedOf(node, initializers, constants) is not { } w) continue;
            weighted.Add(w);
            quantised.Add(node.Input[0]);
            string output = node.Output[0];
            if (readers.TryGetValue(output, out var next) && next.Count == 1 && next[0].OpType is "Relu" or "Clip"
                && !graphOutputs.Contains(output) && next[0].Input[0] == output)
                output = next[0].Output[0];
            quantised.Add(output);
        }

        var shared = new Dictionary<string, string>(StringComparer.Ordinal);
        var activationNodes = new List<OnnxProto.NodeProto>();
        foreach (OnnxProto.NodeProto node in graph.Node)
        {
            if (!ActivationOperators.Contains(node.OpType) || node.Output.Count != 1) continue;
            string[] inputs = node.Input.Where(i => i.Length > 0).ToArray();
            if (inputs.Length == 0 || !inputs.All(i => quantised.Contains(i) && !constants.Contains(i))) continue;
            activationNodes.Add(node);
            quantised.Add(node.Output[0]);
            if (node.OpType == "MaxPool") shared[node.Output[0]] = Root(node.Input[0], shared);
        }

        var graphInputs = graph.Input.Select(i => i.Name).Where(n => !constants.Contains(n));
        var ordered = graphInputs.Concat(graph.Node.SelectMany(n => n.Output)).Where(quantised.Contains).Distinct().ToList();
        return new QuantizationPlan(weighted, ordered, shared, activationNodes);
    }

    private static string Root(string tensor, Dictionary<string, string> shared) => shared.TryGetValue(tensor, out string? root) ? root : tensor;

    // A node with a constant float weight of the expected rank; the channel axis is the output's.
    private static WeightedNode? WeightedOf(OnnxProto.NodeProto node, Dictionary<string, OnnxProto.TensorProto> initializers, HashSet<string> constants)
    {
        if (node.Input.Count < 2 || constants.Contains(node.Input[0])) return null;
        if (!initializers.TryGetValue(node.Input[1], out var weight) || !OnnxTensors.IsFloat(weight)) return null;
        string? bias = node.Input.Count > 2 && node.Input[2].Length > 0 ? node.Input[2] : null;
        switch (node.OpType)
        {
            case "Conv" when weight.Dims.Count >= 3:
                return new WeightedNode(node, 0, UsableBias(bias, weight.Dims[0], initializers) ? bias : null);
            case "Gemm" when weight.Dims.Count == 2:
            {
                bool transB = node.Attribute.FirstOrDefault(a => a.Name == "transB")?.I == 1;
                float beta = node.Attribute.FirstOrDefault(a => a.Name == "beta")?.F ?? 1f;
                int axis = transB ? 0 : 1;
                // Only a per-column bias at beta 1 is what QGemm's int32 bias means; any other stays float.
                return new WeightedNode(node, axis, beta == 1f && UsableBias(bias, weight.Dims[axis], initializers) ? bias : null);
            }
            case "MatMul" when weight.Dims.Count == 2:
                return new WeightedNode(node, 1, null);
            default:
                return null;
        }
    }

    private static bool UsableBias(string? bias, long channels, Dictionary<string, OnnxProto.TensorProto> initializers) =>
        bias is not null && initializers.TryGetValue(bias, out var tensor) && OnnxTensors.IsFloat(tensor)
        && tensor.Dims.Count == 1 && tensor.Dims[0] == channels;
}
