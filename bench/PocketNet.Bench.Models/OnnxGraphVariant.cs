using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace PocketNet.Bench.Models;

/// <summary>
/// The exported ONNX model as evaluation runs it, or rewritten the way bench/RESULTS.md proposes OnnxExporter should
/// write it, so that the proposal is measured in the same run before anyone changes src/PocketNet.Onnx. Every
/// rewrite computes the same function up to float rounding; the bench checks each variant's embeddings against
/// libtorch's.
/// </summary>
public static class OnnxGraphVariant
{
    /// <summary>The exporter's graph, unchanged.</summary>
    public const string Exported = "exported";

    /// <summary>
    /// Every PRelu(x, s) with a per-channel slope written as x * s + Relu(x) * (1 - s). ONNX Runtime's PRelu kernel
    /// is slow with a [C, 1, 1] slope, and its NCHWc layout pass does not take PRelu, so each one also costs a
    /// reorder out of and back into the blocked layout; the Mul/Relu/Add form stays in that layout (the Muls
    /// become depthwise 1x1 NCHWc convolutions and the Add is fused into one of them).
    /// </summary>
    public const string PRelu = "prelu";

    /// <summary>
    /// <see cref="PRelu"/>, and every bias-free 1x1 depthwise convolution (a per-channel scale: dw_conv_1x1, the
    /// cell pre-processing, FactorizedReduce) folded into the 1x1 convolution that alone reads it.
    /// </summary>
    public const string PReluAndDepthwise = "prelu-dw";

    public static readonly IReadOnlyList<string> Names = [Exported, PRelu, PReluAndDepthwise];

    /// <summary>Writes the rewritten <paramref name="variant"/> of the model at <paramref name="source"/>; returns what was changed.</summary>
    public static string Write(string source, string variant, string destination)
    {
        if (variant is not (PRelu or PReluAndDepthwise))
            throw new ArgumentException($"'{variant}' is not a rewrite ({PRelu}, {PReluAndDepthwise})", nameof(variant));
        ModelProto model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(source));
        var names = new NameSource(model.Graph);
        int prelus = RewritePRelus(model.Graph, names);
        string done = $"{prelus} PRelu as Mul/Relu/Mul/Add";
        if (variant == PReluAndDepthwise) done += $", {FoldDepthwiseScales(model.Graph)} 1x1 depthwise convolutions folded";
        using (var stream = File.Create(destination)) model.WriteTo(stream);
        return done;
    }

    private static int RewritePRelus(GraphProto graph, NameSource names)
    {
        var initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var nodes = new List<NodeProto>(graph.Node.Count);
        int rewritten = 0;
        foreach (NodeProto node in graph.Node)
        {
            if (node.OpType != "PRelu" || !initializers.TryGetValue(node.Input[1], out TensorProto? slopeTensor))
            {
                nodes.Add(node);
                continue;
            }
            string x = node.Input[0], y = node.Output[0], prefix = node.Name.Length > 0 ? node.Name : y;
            float[] slope = Floats(slopeTensor);
            string s = names.Add(graph, prefix + ".slope", slope, slopeTensor.Dims);
            string oneMinusS = names.Add(graph, prefix + ".one_minus_slope", slope.Select(v => 1 - v).ToArray(), slopeTensor.Dims);
            string scaled = names.Value(prefix + "/scaled"), positive = names.Value(prefix + "/positive"), kept = names.Value(prefix + "/kept");
            nodes.Add(Node("Mul", names.Value(prefix + "/Mul"), [x, s], scaled));
            nodes.Add(Node("Relu", names.Value(prefix + "/Relu"), [x], positive));
            nodes.Add(Node("Mul", names.Value(prefix + "/MulPositive"), [positive, oneMinusS], kept));
            nodes.Add(Node("Add", names.Value(prefix + "/Add"), [scaled, kept], y));
            rewritten++;
        }
        graph.Node.Clear();
        graph.Node.AddRange(nodes);
        RemoveUnused(graph);
        return rewritten;
    }

    // Conv_1x1(W) after a bias-free, unpadded 1x1 depthwise Conv(d) is Conv_1x1(W[o, i] * d[i]); their strides multiply.
    private static int FoldDepthwiseScales(GraphProto graph)
    {
        var initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var readers = graph.Node.SelectMany(n => n.Input.Select(i => (i, n))).ToLookup(p => p.i, p => p.n, StringComparer.Ordinal);
        var removed = new HashSet<NodeProto>();
        foreach (NodeProto depthwise in graph.Node)
        {
            if (depthwise.OpType != "Conv" || depthwise.Input.Count != 2 || !initializers.TryGetValue(depthwise.Input[1], out TensorProto? scale)) continue;
            long channels = scale.Dims[0];
            bool isScale = scale.Dims.SequenceEqual([channels, 1, 1, 1]) && Ints(depthwise, "group", [1])[0] == channels
                           && Ints(depthwise, "pads", [0, 0, 0, 0]).All(p => p == 0);
            var next = readers[depthwise.Output[0]].ToList();
            if (!isScale || next.Count != 1 || graph.Output.Any(o => o.Name == depthwise.Output[0])) continue;
            NodeProto conv = next[0];
            if (conv.OpType != "Conv" || conv.Input[0] != depthwise.Output[0] || Ints(conv, "group", [1])[0] != 1
                || !initializers.TryGetValue(conv.Input[1], out TensorProto? weight) || weight.Dims.Count != 4 || weight.Dims[2] != 1 || weight.Dims[3] != 1
                || weight.Dims[1] != channels || Ints(conv, "pads", [0, 0, 0, 0]).Any(p => p != 0) || readers[conv.Input[1]].Count() != 1)
                continue;
            float[] d = Floats(scale), w = Floats(weight);
            for (long i = 0; i < w.LongLength; i++) w[i] *= d[i % channels];
            SetFloats(weight, w);
            long[] strides = Ints(depthwise, "strides", [1, 1]).Zip(Ints(conv, "strides", [1, 1]), (a, b) => a * b).ToArray();
            SetInts(conv, "strides", strides);
            conv.Input[0] = depthwise.Input[0];
            removed.Add(depthwise);
        }
        var kept = graph.Node.Where(n => !removed.Contains(n)).ToList();
        graph.Node.Clear();
        graph.Node.AddRange(kept);
        RemoveUnused(graph);
        return removed.Count;
    }

    private static NodeProto Node(string op, string name, string[] inputs, string output)
    {
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        return node;
    }

    private static long[] Ints(NodeProto node, string name, long[] otherwise) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } attribute ? (attribute.Ints.Count > 0 ? attribute.Ints.ToArray() : [attribute.I]) : otherwise;

    private static void SetInts(NodeProto node, string name, long[] values)
    {
        AttributeProto? attribute = node.Attribute.FirstOrDefault(a => a.Name == name);
        if (attribute is null)
        {
            attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
            node.Attribute.Add(attribute);
        }
        attribute.Ints.Clear();
        attribute.Ints.AddRange(values);
    }

    private static float[] Floats(TensorProto tensor)
    {
        if (tensor.DataType != (int)TensorProto.Types.DataType.Float) throw new NotSupportedException($"initializer '{tensor.Name}' is not float");
        return tensor.RawData.IsEmpty ? tensor.FloatData.ToArray() : MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray();
    }

    private static void SetFloats(TensorProto tensor, float[] values)
    {
        tensor.FloatData.Clear();
        tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
    }

    private static void RemoveUnused(GraphProto graph)
    {
        var read = graph.Node.SelectMany(n => n.Input).ToHashSet(StringComparer.Ordinal);
        var used = graph.Initializer.Where(t => read.Contains(t.Name)).ToList();
        graph.Initializer.Clear();
        graph.Initializer.AddRange(used);
    }

    /// <summary>Names not yet used in the graph, for the values, nodes and initializers a rewrite adds.</summary>
    private sealed class NameSource(GraphProto graph)
    {
        private readonly HashSet<string> _taken = graph.Node.SelectMany(n => n.Input.Concat(n.Output).Append(n.Name))
            .Concat(graph.Initializer.Select(t => t.Name)).Concat(graph.Input.Select(i => i.Name)).ToHashSet(StringComparer.Ordinal);

        public string Value(string wanted)
        {
            string name = wanted;
            for (int i = 1; !_taken.Add(name); i++) name = $"{wanted}_{i}";
            return name;
        }

        public string Add(GraphProto target, string wanted, float[] values, IEnumerable<long> dims)
        {
            var tensor = new TensorProto { Name = Value(wanted), DataType = (int)TensorProto.Types.DataType.Float };
            tensor.Dims.AddRange(dims);
            SetFloats(tensor, values);
            target.Initializer.Add(tensor);
            return tensor.Name;
        }
    }
}
