using OnnxProto = global::Onnx;

namespace PocketNet.Onnx.Quantization;

/// <summary>
/// Rewrites a float graph in place into ONNX's QDQ form by a <see cref="QuantizationPlan"/> and calibrated ranges:
/// each planned activation tensor T becomes T -> QuantizeLinear (uint8) -> DequantizeLinear -> every former reader
/// of T, and each planned weight (and bias) becomes an integer initializer behind a per-channel DequantizeLinear.
/// The float graph stays a valid float graph with the rounding made explicit; ONNX Runtime's QDQ fusions turn the
/// groups into integer kernels when it loads the model.
/// </summary>
internal sealed class QdqRewriter
{
    private readonly OnnxProto.GraphProto _graph;
    private readonly HashSet<string> _names;
    private readonly Dictionary<string, OnnxProto.TensorProto> _initializers;
    private readonly Dictionary<OnnxProto.NodeProto, List<OnnxProto.NodeProto>> _before = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<OnnxProto.NodeProto, List<OnnxProto.NodeProto>> _after = new(ReferenceEqualityComparer.Instance);
    private readonly List<OnnxProto.NodeProto> _atStart = [];
    private readonly Dictionary<string, (AffineQuantization Parameters, string Scale, string ZeroPoint)> _activations = new(StringComparer.Ordinal);

    private QdqRewriter(OnnxProto.GraphProto graph)
    {
        _graph = graph;
        _names = graph.Node.SelectMany(n => n.Output.Concat(n.Input).Append(n.Name))
            .Concat(graph.Initializer.Select(i => i.Name)).Concat(graph.Input.Select(i => i.Name)).Concat(graph.Output.Select(o => o.Name))
            .ToHashSet(StringComparer.Ordinal);
        _initializers = graph.Initializer.ToDictionary(i => i.Name, StringComparer.Ordinal);
    }

    /// <summary>Applies the plan; <paramref name="ranges"/> holds the calibrated [min, max] of every tensor in <see cref="QuantizationPlan.Calibrated"/>.</summary>
    public static void Rewrite(OnnxProto.GraphProto graph, QuantizationPlan plan, IReadOnlyDictionary<string, (float Min, float Max)> ranges)
    {
        var rewriter = new QdqRewriter(graph);
        rewriter.AddActivationParameters(plan, ranges);
        // Weights first: their bias scales read the input tensors by their original names.
        foreach (WeightedNode weighted in plan.Weighted) rewriter.QuantizeWeights(weighted);
        foreach (string tensor in plan.Tensors) rewriter.QuantizeActivation(tensor);
        rewriter.Assemble();
    }

    private void AddActivationParameters(QuantizationPlan plan, IReadOnlyDictionary<string, (float Min, float Max)> ranges)
    {
        foreach (string tensor in plan.Tensors)
        {
            if (plan.SharedParameters.TryGetValue(tensor, out string? root))
            {
                _activations[tensor] = _activations[root];
                continue;
            }
            if (!ranges.TryGetValue(tensor, out var range)) throw new InvalidOperationException($"tensor '{tensor}' was not calibrated");
            AffineQuantization parameters = QuantizationRules.Activation(range.Min, range.Max);
            string scale = AddInitializer(OnnxTensors.Float(Unique(tensor + "_scale"), [parameters.Scale]));
            string zeroPoint = AddInitializer(OnnxTensors.UInt8(Unique(tensor + "_zero_point"), [(byte)parameters.ZeroPoint]));
            _activations[tensor] = (parameters, scale, zeroPoint);
        }
    }

    private void QuantizeActivation(string tensor)
    {
        var (_, scale, zeroPoint) = _activations[tensor];
        OnnxProto.NodeProto? producer = _graph.Node.FirstOrDefault(n => n.Output.Contains(tensor));
        // (A graph input passed straight through as an output has no producer to rename: its readers are rewired instead.)
        bool graphOutput = producer is not null && _graph.Output.Any(o => o.Name == tensor);
        string floatValue = tensor, dequantized;
        if (graphOutput)
        {
            // The graph's output keeps its name: the producer writes a renamed float, the DequantizeLinear the output.
            floatValue = Unique(tensor + "_float");
            for (int i = 0; i < producer!.Output.Count; i++)
                if (producer.Output[i] == tensor) producer.Output[i] = floatValue;
            dequantized = tensor;
        }
        else
        {
            dequantized = Unique(tensor + "_dequantized");
            foreach (OnnxProto.NodeProto node in _graph.Node)
                for (int i = 0; i < node.Input.Count; i++)
                    if (node.Input[i] == tensor) node.Input[i] = dequantized;
        }
        string quantized = Unique(tensor + "_quantized");
        OnnxProto.NodeProto quantize = Node("QuantizeLinear", [floatValue, scale, zeroPoint], quantized);
        OnnxProto.NodeProto dequantize = Node("DequantizeLinear", [quantized, scale, zeroPoint], dequantized);
        List<OnnxProto.NodeProto> target = producer is null ? _atStart : After(producer);
        target.Add(quantize);
        target.Add(dequantize);
    }

    private void QuantizeWeights(WeightedNode weighted)
    {
        OnnxProto.NodeProto node = weighted.Node;
        OnnxProto.TensorProto weight = _initializers[node.Input[1]];
        long[] dims = weight.Dims.ToArray();
        float[] values = OnnxTensors.Floats(weight);
        float[] scales = QuantizationRules.WeightScales(values, dims, weighted.WeightAxis);

        List<OnnxProto.NodeProto> before = Before(node);
        if (weighted.Bias is { } biasName)
        {
            float inputScale = _activations[node.Input[0]].Parameters.Scale;
            float[] bias = OnnxTensors.Floats(_initializers[biasName]);
            var quantizedBias = new int[bias.Length];
            for (int c = 0; c < bias.Length; c++) (quantizedBias[c], scales[c]) = QuantizationRules.Bias(bias[c], inputScale, scales[c]);
            float[] biasScales = scales.Select(s => inputScale * s).ToArray();
            string dequantizedBias = Unique(biasName + "_dequantized");
            before.Add(Node("DequantizeLinear", [
                AddInitializer(OnnxTensors.Int32(Unique(biasName + "_quantized"), quantizedBias, bias.Length)),
                AddInitializer(OnnxTensors.Float(Unique(biasName + "_scale"), biasScales, bias.Length)),
                AddInitializer(OnnxTensors.Int32(Unique(biasName + "_zero_point"), new int[bias.Length], bias.Length)),
            ], dequantizedBias, axis: 0));
            node.Input[2] = dequantizedBias;
            if (node.OpType == "Gemm" && node.Attribute.All(a => a.Name != "beta"))
                node.Attribute.Add(new OnnxProto.AttributeProto { Name = "beta", Type = OnnxProto.AttributeProto.Types.AttributeType.Float, F = 1f });
        }

        sbyte[] quantized = QuantizationRules.QuantizeWeights(values, dims, weighted.WeightAxis, scales);
        string dequantizedWeight = Unique(weight.Name + "_dequantized");
        before.Add(Node("DequantizeLinear", [
            AddInitializer(OnnxTensors.Int8(Unique(weight.Name + "_quantized"), quantized, dims)),
            AddInitializer(OnnxTensors.Float(Unique(weight.Name + "_scale"), scales, scales.Length)),
            AddInitializer(OnnxTensors.Int8(Unique(weight.Name + "_zero_point"), new sbyte[scales.Length], scales.Length)),
        ], dequantizedWeight, axis: weighted.WeightAxis));
        node.Input[1] = dequantizedWeight;
    }

    // The new node list in a valid topological order; float initializers nothing reads any more are dropped.
    private void Assemble()
    {
        var nodes = new List<OnnxProto.NodeProto>(_atStart);
        foreach (OnnxProto.NodeProto node in _graph.Node)
        {
            if (_before.TryGetValue(node, out var before)) nodes.AddRange(before);
            nodes.Add(node);
            if (_after.TryGetValue(node, out var after)) nodes.AddRange(after);
        }
        _graph.Node.Clear();
        _graph.Node.AddRange(nodes);
        var read = nodes.SelectMany(n => n.Input).Concat(_graph.Output.Select(o => o.Name)).ToHashSet(StringComparer.Ordinal);
        var kept = _graph.Initializer.Where(i => read.Contains(i.Name)).ToList();
        _graph.Initializer.Clear();
        _graph.Initializer.AddRange(kept);
        // Inputs that only named initializers (older IR versions list them) go with them.
        var inputs = _graph.Input.Where(i => read.Contains(i.Name) || !_initializers.ContainsKey(i.Name)).ToList();
        _graph.Input.Clear();
        _graph.Input.AddRange(inputs);
    }

    private List<OnnxProto.NodeProto> Before(OnnxProto.NodeProto node) => _before.TryGetValue(node, out var list) ? list : _before[node] = [];

    private List<OnnxProto.NodeProto> After(OnnxProto.NodeProto node) => _after.TryGetValue(node, out var list) ? list : _after[node] = [];

    private string AddInitializer(OnnxProto.TensorProto tensor)
    {
        _graph.Initializer.Add(tensor);
        _initializers[tensor.Name] = tensor;
        return tensor.Name;
    }

    private OnnxProto.NodeProto Node(string opType, string[] inputs, string output, int? axis = null)
    {
        var node = new OnnxProto.NodeProto { OpType = opType, Name = Unique(output + "_" + opType) };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        if (axis is { } a) node.Attribute.Add(new OnnxProto.AttributeProto { Name = "axis", Type = OnnxProto.AttributeProto.Types.AttributeType.Int, I = a });
        return node;
    }

    private string Unique(string name)
    {
        string candidate = name;
        for (int i = 1; !_names.Add(candidate); i++) candidate = $"{name}_{i}";
        return candidate;
    }
}
