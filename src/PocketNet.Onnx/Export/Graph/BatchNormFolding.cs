namespace PocketNet.Onnx.Export.Graph;

/// <summary>
/// Removes the graph's batch norms, which in eval mode are per-channel affine maps:
/// <list type="bullet">
/// <item>after a Conv or a Gemm that nothing else reads, folded into its weights and bias
/// (w' = w * s, b' = b * s + shift, with s = gamma / sqrt(var + eps), shift = beta - mean * s);</item>
/// <item>after a channel Concat of such Convs (FactorizedReduce), folded slice by slice into each;</item>
/// <item>anywhere else (after a pool, before a conv as iResNet's blocks open, ...) lowered to Mul + Add,
/// since a BN before a padded conv cannot be folded into it exactly (the zero padding is not normalised).</item>
/// </list>
/// With folding off, every batch norm becomes an ONNX BatchNormalization node instead.
/// Arithmetic is in double precision; the results are rounded to float once.
/// </summary>
internal static class BatchNormFolding
{
    /// <returns>How many batch norms were folded into a producer.</returns>
    public static int Apply(OnnxGraph graph, bool fold)
    {
        var uses = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (GraphNode node in graph.Nodes)
            foreach (string input in node.Inputs)
                uses[input] = uses.GetValueOrDefault(input) + 1;
        if (graph.OutputName is { } output) uses[output] = uses.GetValueOrDefault(output) + 1;
        var producers = graph.Nodes.SelectMany(n => n.Outputs.Select(o => (o, n))).ToDictionary(p => p.o, p => p.n, StringComparer.Ordinal);

        int folded = 0;
        var result = new List<GraphNode>(graph.Nodes.Count);
        foreach (GraphNode node in graph.Nodes)
        {
            if (node is not BatchNormNode bn)
            {
                result.Add(node);
                continue;
            }
            string input = bn.Inputs[0], bnOutput = bn.Outputs[0];
            if (fold && TryFold(graph, bn, producers, uses))
            {
                // The producer now writes the batch norm's output, so its readers need no change.
                GraphNode producer = producers[input];
                producer.Outputs[0] = bnOutput;
                producers[bnOutput] = producer;
                folded++;
                continue;
            }
            result.AddRange(fold ? LowerToMulAdd(graph, bn) : [LowerToBatchNormalization(graph, bn)]);
        }
        graph.Nodes.Clear();
        graph.Nodes.AddRange(result);
        return folded;
    }

    private static bool TryFold(OnnxGraph graph, BatchNormNode bn, Dictionary<string, GraphNode> producers, Dictionary<string, int> uses)
    {
        string input = bn.Inputs[0];
        if (uses.GetValueOrDefault(input) != 1 || !producers.TryGetValue(input, out GraphNode? producer)) return false;
        if (IsFoldableAffine(graph, producer, uses, out long channels))
        {
            if (channels != bn.Parameters.Channels) return false;
            FoldInto(graph, producer, bn.Parameters);
            return true;
        }
        if (producer.OpType == "Concat" && producer.Attributes.TryGetValue("axis", out AttributeValue axis) && axis.Int == 1)
        {
            var parts = new List<(GraphNode Node, long Channels)>();
            foreach (string part in producer.Inputs)
            {
                if (uses.GetValueOrDefault(part) != 1 || !producers.TryGetValue(part, out GraphNode? partProducer)
                    || !IsFoldableAffine(graph, partProducer, uses, out long partChannels))
                    return false;
                parts.Add((partProducer, partChannels));
            }
            if (parts.Sum(p => p.Channels) != bn.Parameters.Channels) return false;
            int start = 0;
            foreach (var (partNode, partChannels) in parts)
            {
                FoldInto(graph, partNode, bn.Parameters.Slice(start, (int)partChannels));
                start += (int)partChannels;
            }
            return true;
        }
        return false;
    }

    // A Conv, or a Gemm with transposed weight, whose weight and bias belong to it alone.
    private static bool IsFoldableAffine(OnnxGraph graph, GraphNode node, Dictionary<string, int> uses, out long channels)
    {
        channels = 0;
        bool gemm = node.OpType == "Gemm" && node.Attributes.TryGetValue("transB", out AttributeValue t) && t.Int == 1
                    && !node.Attributes.ContainsKey("alpha") && !node.Attributes.ContainsKey("beta");
        if (node.OpType != "Conv" && !gemm) return false;
        if (node.Inputs.Skip(1).Any(name => uses.GetValueOrDefault(name) != 1 || !graph.Initializers.ContainsKey(name))) return false;
        channels = graph.Initializers[node.Inputs[1]].Dims[0];
        return true;
    }

    private static void FoldInto(OnnxGraph graph, GraphNode node, BatchNormParameters bn)
    {
        ConstantTensor weight = graph.Initializers[node.Inputs[1]];
        float[] w = weight.Floats!;
        int channels = bn.Channels;
        long perChannel = w.LongLength / channels;
        var folded = new float[w.LongLength];
        var bias = new float[channels];
        float[]? oldBias = node.Inputs.Count > 2 ? graph.Initializers[node.Inputs[2]].Floats : null;
        for (int c = 0; c < channels; c++)
        {
            double scale = bn.Scale(c);
            for (long i = c * perChannel, end = i + perChannel; i < end; i++) folded[i] = (float)(w[i] * scale);
            bias[c] = (float)((oldBias?[c] ?? 0.0) * scale + bn.Shift(c));
        }
        graph.Initializers[node.Inputs[1]] = ConstantTensor.Float(folded, weight.Dims);
        if (node.Inputs.Count > 2) graph.Initializers[node.Inputs[2]] = ConstantTensor.Float(bias, channels);
        else node.Inputs.Add(graph.AddInitializer(node.Name.Split('/')[0] + ".bias", ConstantTensor.Float(bias, channels)));
    }

    private static GraphNode[] LowerToMulAdd(OnnxGraph graph, BatchNormNode bn)
    {
        BatchNormParameters p = bn.Parameters;
        long[] dims = ChannelDims(p.Channels, graph.RankOf(bn.Inputs[0]));
        string prefix = bn.Name.Split('/')[0];
        string scale = graph.AddInitializer(prefix + ".scale", ConstantTensor.Float(Enumerable.Range(0, p.Channels).Select(c => (float)p.Scale(c)).ToArray(), dims));
        string shift = graph.AddInitializer(prefix + ".shift", ConstantTensor.Float(Enumerable.Range(0, p.Channels).Select(c => (float)p.Shift(c)).ToArray(), dims));
        string scaled = graph.UniqueName(prefix + "/scaled");
        return
        [
            new GraphNode("Mul", graph.UniqueName(prefix + "/Mul"), [bn.Inputs[0], scale], [scaled], new()),
            new GraphNode("Add", graph.UniqueName(prefix + "/Add"), [scaled, shift], [bn.Outputs[0]], new()),
        ];
    }

    private static GraphNode LowerToBatchNormalization(OnnxGraph graph, BatchNormNode bn)
    {
        BatchNormParameters p = bn.Parameters;
        string prefix = bn.Name.Split('/')[0];
        string Constant(string suffix, double[] values) =>
            graph.AddInitializer(prefix + "." + suffix, ConstantTensor.Float(values.Select(v => (float)v).ToArray(), p.Channels));
        return new GraphNode("BatchNormalization", bn.Name,
            [bn.Inputs[0], Constant("weight", p.Gamma), Constant("bias", p.Beta), Constant("running_mean", p.Mean), Constant("running_var", p.Variance)],
            [bn.Outputs[0]], new() { ["epsilon"] = (float)p.Epsilon });
    }

    /// <summary>[C, 1, ..., 1]: a per-channel constant that broadcasts against an [N, C, ...] value of the given rank.</summary>
    internal static long[] ChannelDims(long channels, int rank) =>
        [channels, .. Enumerable.Repeat(1L, Math.Max(0, rank - 2))];
}
