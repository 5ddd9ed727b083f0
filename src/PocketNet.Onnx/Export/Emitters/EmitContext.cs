using PocketNet.Onnx.Export.Graph;
using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Onnx.Export.Emitters;

/// <summary>
/// State of one export while the module tree is walked: the graph being written, the dotted path of the
/// module being emitted (node and constant names follow the state_dict keys), and what a module cannot say
/// about itself (the stride of the cell edge it implements).
/// </summary>
internal sealed class EmitContext(OnnxGraph graph, ModuleEmitters emitters)
{
    private readonly List<string> _path = new();

    public OnnxGraph Graph { get; } = graph;

    /// <summary>Dotted path of the module being emitted ("" for the network itself).</summary>
    public string Path => string.Join(".", _path.Where(segment => segment.Length > 0));

    /// <summary>
    /// Stride of the cell edge being emitted, set by the cell emitter: a pooling edge does not expose its
    /// stride, but the cell knows it (edges reading s0 or s1 of a reduction cell have stride 2).
    /// </summary>
    public int? EdgeStride { get; private set; }

    /// <summary>A name hint under the current module: "cells.3.preproc0" or "cells.3.preproc0.weight".</summary>
    public string Hint(string? leaf = null)
    {
        string path = Path;
        return leaf is null ? (path.Length == 0 ? "output" : path) : (path.Length == 0 ? leaf : path + "." + leaf);
    }

    /// <summary>Emits <paramref name="module"/> (registered under <paramref name="name"/> in the current module) on <paramref name="input"/>.</summary>
    public string Emit(Module module, string name, string input)
    {
        _path.Add(name);
        try
        {
            return emitters.For(module, Path).Emit(this, module, input);
        }
        finally
        {
            _path.RemoveAt(_path.Count - 1);
        }
    }

    /// <summary>Emits the child registered as <paramref name="name"/> of <paramref name="parent"/>.</summary>
    public string EmitChild(Module parent, string name, string input) => Emit(Child<Module>(parent, name), name, input);

    /// <summary>Runs <paramref name="emit"/> with the current path extended by <paramref name="name"/> (for modules with several inputs).</summary>
    public T Within<T>(string name, Func<T> emit)
    {
        _path.Add(name);
        try
        {
            return emit();
        }
        finally
        {
            _path.RemoveAt(_path.Count - 1);
        }
    }

    public IDisposable WithEdgeStride(int stride)
    {
        int? previous = EdgeStride;
        EdgeStride = stride;
        return new Restore(() => EdgeStride = previous);
    }

    /// <summary>The child module registered under <paramref name="name"/> (its fields are private to the model).</summary>
    public T Child<T>(Module parent, string name) where T : Module
    {
        foreach (var (childName, child) in parent.NamedChildren())
            if (childName == name)
                return child as T ?? throw new NotSupportedException(
                    $"'{Hint(name)}' is a {child.GetType().Name}, but the ONNX emitter of {parent.GetType().Name} expects a {typeof(T).Name}");
        throw new NotSupportedException(
            $"{parent.GetType().Name} at '{Hint()}' has no child '{name}' (children: {string.Join(", ", parent.NamedChildren().Select(c => c.Key))})");
    }

    public bool HasChild(Module parent, string name) => parent.NamedChildren().Any(c => c.Key == name);

    /// <summary>A module tensor copied out as float32 (constants of the exported graph are float32).</summary>
    public static float[] Floats(Tensor tensor)
    {
        using Tensor detached = tensor.Detach();
        using Tensor converted = detached.To(ScalarType.Float32, Device.Cpu);
        return converted.ToArray<float>();
    }

    /// <summary>A module tensor copied out in double precision (batch-norm statistics, for exact folding).</summary>
    public static double[] Doubles(Tensor tensor)
    {
        using Tensor detached = tensor.Detach();
        using Tensor converted = detached.To(ScalarType.Float64, Device.Cpu);
        return converted.ToArray<double>();
    }

    // ---- common nodes ----------------------------------------------------------------------------

    public string Add(string left, string right, string? leaf = "add") => Graph.Add("Add", Hint(leaf), [left, right]);

    public string Concat(IReadOnlyList<string> inputs, string? leaf = "concat") =>
        inputs.Count == 1 ? inputs[0] : Graph.Add("Concat", Hint(leaf), inputs, new Dictionary<string, AttributeValue> { ["axis"] = 1L });

    public string Flatten(string input, string? leaf = "flatten") =>
        Graph.Add("Flatten", Hint(leaf), [input], new Dictionary<string, AttributeValue> { ["axis"] = 1L }, outputRank: 2);

    /// <summary>input[:, :, start::step, start::step] of an NCHW value.</summary>
    public string SliceSpatial(string input, long start, long step, string leaf)
    {
        var inputs = new List<string>
        {
            input,
            Graph.SharedConstant("const.starts", ConstantTensor.Int64Vector(start, start)),
            Graph.SharedConstant("const.ends", ConstantTensor.Int64Vector(long.MaxValue, long.MaxValue)),
            Graph.SharedConstant("const.axes", ConstantTensor.Int64Vector(2, 3)),
        };
        if (step != 1) inputs.Add(Graph.SharedConstant("const.steps", ConstantTensor.Int64Vector(step, step)));
        return Graph.Add("Slice", Hint(leaf), inputs);
    }

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }
}
