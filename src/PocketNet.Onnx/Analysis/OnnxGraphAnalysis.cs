using Google.Protobuf;
using OnnxProto = global::Onnx;

namespace PocketNet.Onnx.Analysis;

/// <summary>
/// Counts the parameters and FLOPs of an arbitrary ONNX model from its graph, without running it. FLOPs follow
/// the PocketNet paper's rules (as Models.Complexity.FlopCounter counts our networks): Conv 2*k*k*Cin/g per output
/// element plus 1 for a bias, Gemm/MatMul 2 per weight (per row) plus the bias, BatchNormalization 2 per element,
/// PRelu/Relu/Clip 1 per element, pools k*k per output element (a global pool's k*k is the input's area),
/// LayerNormalization 2 and Erf 1 per element (EdgeFace's layer norms and GELU); Add, Sub, Mul, Div, Concat, Slice,
/// reshapes, transposes, Gather, Softmax, LpNormalization, Identity, Dropout and int8 QuantizeLinear/DequantizeLinear cost nothing, as branch additions and
/// concatenations did not in the paper. Sigmoid and HardSigmoid cost 1 per element, as MixFaceNets' counter counts
/// sigmoid and Swish (exported as x * Sigmoid(x)). Shapes come from a static inference over those operators for a batch
/// of one; any other operator makes the FLOPs unknown.
/// </summary>
public static class OnnxGraphAnalysis
{
    public static OnnxModelComplexity Analyze(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using FileStream stream = File.OpenRead(path);
        OnnxProto.ModelProto model;
        try
        {
            model = OnnxProto.ModelProto.Parser.ParseFrom(stream);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"'{path}' is not an ONNX model: {e.Message}", e);
        }
        return Analyze(model);
    }

    internal static OnnxModelComplexity Analyze(OnnxProto.ModelProto model)
    {
        OnnxProto.GraphProto graph = model.Graph ?? throw new InvalidDataException("the ONNX model has no graph");
        var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal);
        var values = new Dictionary<string, long[]>(StringComparer.Ordinal);
        long parameters = 0;
        // An int8 (QDQ) graph stores its weights as integers behind DequantizeLinear: those are its parameters, and
        // the float scales of QuantizeLinear/DequantizeLinear are not.
        var quantizedWeights = graph.Node.Where(n => n.OpType == "DequantizeLinear" && n.Input.Count > 0).Select(n => n.Input[0]).ToHashSet(StringComparer.Ordinal);
        var scales = graph.Node.Where(n => n.OpType is "QuantizeLinear" or "DequantizeLinear" && n.Input.Count > 1).Select(n => n.Input[1]).ToHashSet(StringComparer.Ordinal);
        foreach (OnnxProto.TensorProto tensor in graph.Initializer)
        {
            long[] dims = tensor.Dims.ToArray();
            shapes[tensor.Name] = dims;
            if (IsFloating(tensor.DataType) ? !scales.Contains(tensor.Name) : quantizedWeights.Contains(tensor.Name))
            {
                long elements = ElementCount(tensor, dims);
                if (elements > long.MaxValue - parameters) throw new InvalidDataException("the initializers declare more parameters than any model holds (the count overflows)");
                parameters += elements;
            }
            if (IntegerValues(tensor) is { } ints) values[tensor.Name] = ints;
        }

        var initializers = graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        OnnxProto.ValueInfoProto input = graph.Input.FirstOrDefault(i => !initializers.Contains(i.Name))
            ?? throw new InvalidDataException("the ONNX graph has no input besides its initializers");
        long[] inputShape = (input.Type?.TensorType?.Shape?.Dim ?? [])
            .Select(d => d.HasDimValue ? d.DimValue : -1L).ToArray();
        // Batch of one: a symbolic first dimension becomes 1; other symbolic dimensions stay unknown.
        long[] analysed = inputShape.Select((d, i) => i == 0 && d < 0 ? 1 : d).ToArray();
        if (analysed.All(d => d > 0)) shapes[input.Name] = analysed;

        long flops = 0;
        var unknown = new SortedSet<string>(StringComparer.Ordinal);
        foreach (OnnxProto.NodeProto node in graph.Node)
        {
            long? cost = null;
            try
            {
                cost = Infer(node, shapes, values);
            }
            catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException or InvalidOperationException or OverflowException)
            {
                cost = null;
            }
            if (cost is { } c) flops += c;
            else unknown.Add(node.OpType);
        }
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (OnnxProto.StringStringEntryProto entry in model.MetadataProps) metadata[entry.Key] = entry.Value;
        return new OnnxModelComplexity(parameters, unknown.Count == 0 ? flops : null, inputShape, unknown.ToList(), metadata);
    }

    // The node's FLOPs with its output shapes recorded, or null when the operator or an input shape is unknown.
    private static long? Infer(OnnxProto.NodeProto node, Dictionary<string, long[]> shapes, Dictionary<string, long[]> values)
    {
        long[]? In(int i) => i < node.Input.Count && node.Input[i].Length > 0 && shapes.TryGetValue(node.Input[i], out long[]? s) ? s : null;
        bool HasInput(int i) => i < node.Input.Count && node.Input[i].Length > 0;
        long[]? Value(int i) => HasInput(i) && values.TryGetValue(node.Input[i], out long[]? v) ? v : null;
        long? Set(long[] shape, long cost)
        {
            shapes[node.Output[0]] = shape;
            return cost;
        }

        if (node.OpType == "Constant")
        {
            OnnxProto.TensorProto? t = Attribute(node, "value")?.T;
            if (t is null) return null;
            if (IntegerValues(t) is { } ints) values[node.Output[0]] = ints;
            return Set(t.Dims.ToArray(), 0);
        }

        long[]? x = In(0);
        if (x is null) return null;
        long elements = Count(x);
        switch (node.OpType)
        {
            // Conversions to and from int8 cost nothing, as reshapes do not: an int8 graph has its float graph's FLOPs.
            case "Identity" or "Dropout" or "QuantizeLinear" or "DequantizeLinear":
                if (node.OpType == "Dropout" && node.Output.Count > 1 && node.Output[1].Length > 0) shapes[node.Output[1]] = x;
                return Set(x, 0);
            case "Relu" or "PRelu" or "Clip" or "Sigmoid" or "HardSigmoid":
                return Set(x, elements);
            case "BatchNormalization":
                return Set(x, 2 * elements);
            case "Add" or "Mul" or "Sub":
            {
                long[]? y = In(1);
                return y is null ? null : Set(Broadcast(x, y), 0);
            }
            case "Conv":
            {
                long[]? w = In(1);
                if (w is null || x.Length != 4 || w.Length != 4) return null;
                long group = Attribute(node, "group")?.I ?? 1;
                long[] kernel = [w[2], w[3]];
                long[] spatial = PoolShape(node, x, kernel);
                long[] output = [x[0], w[0], spatial[0], spatial[1]];
                long perOutput = 2 * kernel[0] * kernel[1] * (x[1] / group) + (HasInput(2) ? 1 : 0);
                return Set(output, perOutput * Count(output));
            }
            case "MaxPool" or "AveragePool":
            {
                if (x.Length != 4) return null;
                long[] kernel = Ints(node, "kernel_shape") ?? throw new ArgumentException("a pool without kernel_shape");
                long[] spatial = PoolShape(node, x, kernel);
                long[] output = [x[0], x[1], spatial[0], spatial[1]];
                return Set(output, kernel[0] * kernel[1] * Count(output));
            }
            case "GlobalAveragePool":
            {
                if (x.Length < 3) return null;
                long[] output = [x[0], x[1], .. Enumerable.Repeat(1L, x.Length - 2)];
                return Set(output, Count(x[2..]) * Count(output));
            }
            case "Concat":
            {
                var inputs = Enumerable.Range(0, node.Input.Count).Select(In).ToList();
                if (inputs.Any(s => s is null)) return null;
                int axis = Axis(Attribute(node, "axis")?.I ?? 0, x.Length);
                long[] output = (long[])x.Clone();
                output[axis] = inputs.Sum(s => s![axis]);
                return Set(output, 0);
            }
            case "Flatten":
            {
                int axis = Axis(Attribute(node, "axis")?.I ?? 1, x.Length + 1);
                return Set([Count(x[..axis]), Count(x[axis..])], 0);
            }
            case "Reshape":
            {
                long[]? target = Value(1);
                return target is null ? null : Set(Reshape(x, target, Attribute(node, "allowzero")?.I == 1), 0);
            }
            case "Slice":
                return Slice(node, x, Value, HasInput) is { } sliced ? Set(sliced, 0) : null;
            case "Gemm":
            {
                long[]? b = In(1);
                if (b is null || x.Length != 2 || b.Length != 2) return null;
                bool transA = Attribute(node, "transA")?.I == 1, transB = Attribute(node, "transB")?.I == 1;
                long m = transA ? x[1] : x[0], k = transA ? x[0] : x[1], n = transB ? b[0] : b[1];
                if ((transB ? b[1] : b[0]) != k) throw new ArgumentException("Gemm operands do not match");
                return Set([m, n], m * (2 * k * n + (HasInput(2) ? n : 0)));
            }
            case "MatMul":
            {
                long[]? b = In(1);
                if (b is null || x.Length < 1 || b.Length < 1) return null;
                long[] a2 = x.Length == 1 ? [1, x[0]] : x, b2 = b.Length == 1 ? [b[0], 1] : b;
                if (a2[^1] != b2[^2]) throw new ArgumentException("MatMul operands do not match");
                long[] batch = Broadcast(a2[..^2], b2[..^2]);
                var output = new List<long>(batch);
                if (x.Length > 1) output.Add(a2[^2]);
                if (b.Length > 1) output.Add(b2[^1]);
                return Set(output.ToArray(), 2 * Count(batch) * a2[^2] * a2[^1] * b2[^1]);
            }
            // EdgeFace's operators, by the rules of our FlopCounter: LayerNormalization as batch norm, Erf (GELU) as an
            // activation; transposes, gathers, normalisations, softmax and divisions cost nothing, as reshapes do.
            case "LayerNormalization":
                return Set(x, 2 * elements);
            case "Erf":
                return Set(x, elements);
            case "LpNormalization" or "Softmax":
                return Set(x, 0);
            case "Div":
            {
                long[]? y = In(1);
                return y is null ? null : Set(Broadcast(x, y), 0);
            }
            case "Transpose":
            {
                long[] permutation = Ints(node, "perm") ?? Enumerable.Range(0, x.Length).Reverse().Select(i => (long)i).ToArray();
                if (permutation.Length != x.Length) throw new ArgumentException("a Transpose permutation of the wrong rank");
                return Set(permutation.Select(p => x[p]).ToArray(), 0);
            }
            case "Gather":
            {
                long[]? indices = In(1);
                if (indices is null) return null;
                int axis = Axis(Attribute(node, "axis")?.I ?? 0, x.Length);
                return Set([.. x[..axis], .. indices, .. x[(axis + 1)..]], 0);
            }
            default:
                return null;
        }
    }

    // Output height and width of a convolution or pool (pads, strides, dilations, auto_pad, ceil_mode).
    private static long[] PoolShape(OnnxProto.NodeProto node, long[] x, long[] kernel)
    {
        long[] strides = Ints(node, "strides") ?? [1, 1];
        long[] dilations = Ints(node, "dilations") ?? [1, 1];
        long[] pads = Ints(node, "pads") ?? [0, 0, 0, 0];
        string autoPad = Attribute(node, "auto_pad")?.S.ToStringUtf8() ?? "NOTSET";
        bool ceil = Attribute(node, "ceil_mode")?.I == 1;
        var result = new long[2];
        for (int i = 0; i < 2; i++)
        {
            long size = x[2 + i], extent = (kernel[i] - 1) * dilations[i] + 1;
            result[i] = autoPad switch
            {
                "SAME_UPPER" or "SAME_LOWER" => (size + strides[i] - 1) / strides[i],
                "VALID" => (size - extent) / strides[i] + 1,
                _ => (ceil ? (size + pads[i] + pads[i + 2] - extent + strides[i] - 1) : (size + pads[i] + pads[i + 2] - extent)) / strides[i] + 1,
            };
            if (result[i] < 1) throw new ArgumentException("an empty output");
        }
        return result;
    }

    private static long[]? Slice(OnnxProto.NodeProto node, long[] x, Func<int, long[]?> value, Func<int, bool> hasInput)
    {
        long[]? starts, ends, axes, steps = null;
        if (node.Input.Count > 1)
        {
            (starts, ends) = (value(1), value(2));
            axes = hasInput(3) ? value(3) : null;
            if (hasInput(3) && axes is null) return null;
            if (hasInput(4) && (steps = value(4)) is null) return null;
        }
        else
        {
            (starts, ends, axes) = (Ints(node, "starts"), Ints(node, "ends"), Ints(node, "axes"));
        }
        if (starts is null || ends is null) return null;
        axes ??= Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
        long[] output = (long[])x.Clone();
        for (int i = 0; i < starts.Length; i++)
        {
            int axis = Axis(axes[i], x.Length);
            long step = steps?[i] ?? 1, size = x[axis];
            if (step == 0) throw new ArgumentException("a zero Slice step");
            long start = starts[i] < 0 ? starts[i] + size : starts[i], end = ends[i] < 0 ? ends[i] + size : ends[i];
            if (step > 0)
            {
                start = Math.Clamp(start, 0, size);
                end = Math.Clamp(end, 0, size);
                output[axis] = Math.Max(0, (end - start + step - 1) / step);
            }
            else
            {
                start = Math.Clamp(start, 0, size - 1);
                end = Math.Clamp(end, -1, size - 1);
                output[axis] = Math.Max(0, (start - end - step - 1) / -step);
            }
        }
        return output;
    }

    private static long[] Reshape(long[] x, long[] target, bool allowZero)
    {
        long[] output = target.Select((d, i) => d == 0 && !allowZero ? x[i] : d).ToArray();
        int inferred = Array.IndexOf(output, -1L);
        if (inferred >= 0)
        {
            long known = output.Where((d, i) => i != inferred).Aggregate(1L, (a, b) => a * b);
            output[inferred] = Count(x) / known;
        }
        if (Count(output) != Count(x)) throw new ArgumentException("a Reshape that changes the element count");
        return output;
    }

    private static long[] Broadcast(long[] a, long[] b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var output = new long[rank];
        for (int i = 0; i < rank; i++)
        {
            long da = i < rank - a.Length ? 1 : a[i - (rank - a.Length)], db = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
            if (da != db && da != 1 && db != 1) throw new ArgumentException("shapes that do not broadcast");
            output[i] = Math.Max(da, db);
        }
        return output;
    }

    // An initializer's dims are the file's word: negative ones, or a product past long, make no model.
    private static long ElementCount(OnnxProto.TensorProto tensor, long[] dims)
    {
        string name = tensor.Name.Length <= 80 ? tensor.Name : tensor.Name[..80] + "...";
        if (dims.Any(d => d < 0)) throw new InvalidDataException($"initializer '{name}' has a negative dimension");
        try
        {
            return Count(dims);
        }
        catch (OverflowException)
        {
            throw new InvalidDataException($"initializer '{name}' declares more elements than any model holds (its dimensions overflow)");
        }
    }

    private static int Axis(long axis, int rank) => (int)(axis < 0 ? axis + rank : axis);

    private static long Count(ReadOnlySpan<long> shape)
    {
        long n = 1;
        foreach (long d in shape) n = checked(n * d);
        return n;
    }

    private static OnnxProto.AttributeProto? Attribute(OnnxProto.NodeProto node, string name) =>
        node.Attribute.FirstOrDefault(a => a.Name == name);

    private static long[]? Ints(OnnxProto.NodeProto node, string name) => Attribute(node, name)?.Ints.ToArray();

    private static bool IsFloating(int type) => (OnnxProto.TensorProto.Types.DataType)type is
        OnnxProto.TensorProto.Types.DataType.Float or OnnxProto.TensorProto.Types.DataType.Double or
        OnnxProto.TensorProto.Types.DataType.Float16 or OnnxProto.TensorProto.Types.DataType.Bfloat16;

    // Values of a small int64/int32 tensor (Reshape shapes, Slice bounds), whether stored typed or raw.
    private static long[]? IntegerValues(OnnxProto.TensorProto tensor)
    {
        switch ((OnnxProto.TensorProto.Types.DataType)tensor.DataType)
        {
            case OnnxProto.TensorProto.Types.DataType.Int64:
                if (tensor.Int64Data.Count > 0) return tensor.Int64Data.ToArray();
                return tensor.RawData.Length % 8 == 0
                    ? System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(tensor.RawData.Span).ToArray()
                    : null;
            case OnnxProto.TensorProto.Types.DataType.Int32:
                if (tensor.Int32Data.Count > 0) return tensor.Int32Data.Select(v => (long)v).ToArray();
                return tensor.RawData.Length % 4 == 0
                    ? System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(tensor.RawData.Span).ToArray().Select(v => (long)v).ToArray()
                    : null;
            default:
                return null;
        }
    }
}
