namespace PocketNet.Torch.NN;

/// <summary>
/// A node of a network, as torch.nn.Module: it owns parameters, buffers and child modules, each under a
/// name, so that the dotted path of every tensor (<c>cells.3.preproc0.net.1.weight</c>) is exactly the
/// key PyTorch's state_dict would give it. Registration order is kept, as PyTorch keeps it.
/// Parameters and buffers belong to the module, never to a <see cref="DisposeScope"/>; disposing the
/// module releases them.
/// </summary>
public abstract class Module : IDisposable
{
    private readonly List<KeyValuePair<string, Tensor>> _parameters = new();
    private readonly List<KeyValuePair<string, Tensor>> _buffers = new();
    private readonly List<KeyValuePair<string, Module>> _children = new();
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly HashSet<string> _nonPersistent = new(StringComparer.Ordinal);

    /// <summary>True in training mode (batch statistics, dropout active), false in evaluation mode.</summary>
    public bool IsTraining { get; private set; } = true;

    // ---- registration ----------------------------------------------------------------------------

    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        ClaimName(name);
        _children.Add(new(name, module));
        return module;
    }

    /// <summary>Takes ownership of <paramref name="tensor"/> as a trainable parameter (requires_grad set).</summary>
    protected Tensor RegisterParameter(string name, Tensor tensor)
    {
        ClaimName(name);
        tensor.DetachFromScope();
        if (!tensor.IsLeaf) throw new ArgumentException($"parameter '{name}' must be a leaf tensor (create it under Engine.NoGrad)");
        tensor.RequiresGrad = true;
        _parameters.Add(new(name, tensor));
        return tensor;
    }

    /// <summary>Takes ownership of a state tensor that is not trained (running statistics...).</summary>
    protected Tensor RegisterBuffer(string name, Tensor tensor, bool persistent = true)
    {
        ClaimName(name);
        tensor.DetachFromScope();
        _buffers.Add(new(name, tensor));
        if (!persistent) _nonPersistent.Add(name);
        return tensor;
    }

    private void ClaimName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"'{name}' is not a valid member name (non-empty, no dots)", nameof(name));
        if (!_names.Add(name)) throw new ArgumentException($"{GetType().Name} already has a member named '{name}'", nameof(name));
    }

    // ---- traversal -------------------------------------------------------------------------------

    public IEnumerable<KeyValuePair<string, Module>> NamedChildren() => _children;

    /// <summary>This module (under the empty name) and every descendant, depth first, with dotted paths.</summary>
    public IEnumerable<KeyValuePair<string, Module>> NamedModules(string prefix = "")
    {
        yield return new(prefix, this);
        foreach (var (name, child) in _children)
            foreach (var entry in child.NamedModules(Join(prefix, name)))
                yield return entry;
    }

    public IEnumerable<KeyValuePair<string, Tensor>> NamedParameters() =>
        NamedModules().SelectMany(m => m.Value._parameters.Select(p => new KeyValuePair<string, Tensor>(Join(m.Key, p.Key), p.Value)));

    public IEnumerable<KeyValuePair<string, Tensor>> NamedBuffers() =>
        NamedModules().SelectMany(m => m.Value._buffers.Select(b => new KeyValuePair<string, Tensor>(Join(m.Key, b.Key), b.Value)));

    public IEnumerable<Tensor> Parameters() => NamedParameters().Select(p => p.Value);

    /// <summary>
    /// Number of trainable scalars: parameters whose requires_grad is set, as the reference counts them.
    /// A frozen parameter (requires_grad cleared after registration) is still listed by
    /// <see cref="Parameters"/> and saved in the state_dict, but not counted here.
    /// </summary>
    public long ParameterCount() => Parameters().Where(p => p.RequiresGrad).Sum(p => p.NumEl);

    /// <summary>
    /// Every persistent tensor by its state_dict key, in PyTorch's order (per module: parameters, then
    /// buffers, then children). The tensors are the module's own: do not dispose them.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, Tensor>> StateDict()
    {
        var state = new List<KeyValuePair<string, Tensor>>();
        CollectState("", state);
        return state;
    }

    private void CollectState(string prefix, List<KeyValuePair<string, Tensor>> state)
    {
        foreach (var (name, p) in _parameters) state.Add(new(Join(prefix, name), p));
        foreach (var (name, b) in _buffers)
            if (!_nonPersistent.Contains(name)) state.Add(new(Join(prefix, name), b));
        foreach (var (name, child) in _children) child.CollectState(Join(prefix, name), state);
    }

    /// <summary>
    /// Copies values into this module's tensors by key. With <paramref name="strict"/>, a missing or
    /// unexpected key is an error; a shape mismatch always is. The error lists the offending keys.
    /// </summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        var own = StateDict();
        var missing = own.Where(kv => !state.ContainsKey(kv.Key)).Select(kv => kv.Key).ToList();
        var ownKeys = own.Select(kv => kv.Key).ToHashSet(StringComparer.Ordinal);
        var unexpected = state.Keys.Where(k => !ownKeys.Contains(k)).ToList();
        if (strict && (missing.Count > 0 || unexpected.Count > 0))
            throw new StateDictMismatchException(GetType().Name, missing, unexpected);

        using var noGrad = Engine.NoGrad();
        foreach (var (key, target) in own)
        {
            if (!state.TryGetValue(key, out Tensor? source)) continue;
            if (!source.Shape.SequenceEqual(target.Shape))
                throw new ArgumentException(
                    $"state_dict entry '{key}' has shape [{string.Join(", ", source.Shape)}] but the module expects [{string.Join(", ", target.Shape)}]");
            target.CopyFrom(source);
        }
    }

    // ---- mode and placement ----------------------------------------------------------------------

    public Module Train(bool training = true)
    {
        foreach (var (_, m) in NamedModules()) m.IsTraining = training;
        return this;
    }

    public Module Eval() => Train(false);

    /// <summary>Moves every parameter and buffer to <paramref name="device"/> (do this before creating an optimiser).</summary>
    public Module To(Device device)
    {
        foreach (var (_, m) in NamedModules())
        {
            MoveAll(m._parameters, device, parameter: true);
            MoveAll(m._buffers, device, parameter: false);
        }
        return this;
    }

    private static void MoveAll(List<KeyValuePair<string, Tensor>> tensors, Device device, bool parameter)
    {
        for (int i = 0; i < tensors.Count; i++)
        {
            Tensor old = tensors[i].Value;
            if (old.Device == device) continue;
            Tensor moved;
            using (Engine.NoGrad()) moved = old.To(device).DetachFromScope();
            if (parameter) moved.RequiresGrad = old.RequiresGrad;
            // In place, so layers that keep a reference (Conv2d.Weight...) see the moved tensor.
            old.ReplaceWith(moved);
        }
    }

    /// <summary>
    /// Converts every floating-point parameter and buffer to <paramref name="type"/> (Float64 for
    /// gradient checks), in place; integer buffers (num_batches_tracked) keep their type.
    /// </summary>
    public Module To(ScalarType type)
    {
        if (!type.IsFloatingPoint()) throw new ArgumentException($"modules convert to floating-point types only, not {type}", nameof(type));
        foreach (var (_, m) in NamedModules())
            foreach (var (_, old) in m._parameters.Concat(m._buffers))
            {
                if (!old.DType.IsFloatingPoint() || old.DType == type) continue;
                Tensor converted;
                using (Engine.NoGrad()) converted = old.To(type).DetachFromScope();
                bool requiresGrad = old.RequiresGrad;
                old.ReplaceWith(converted);
                if (requiresGrad) old.RequiresGrad = true;
            }
        return this;
    }

    /// <summary>Clears the gradient of every parameter (PyTorch's zero_grad(set_to_none=True)).</summary>
    public void ZeroGrad()
    {
        foreach (Tensor p in Parameters()) p.Grad = null;
    }

    public virtual void Dispose()
    {
        foreach (var (_, child) in _children) child.Dispose();
        foreach (var (_, p) in _parameters) p.Dispose();
        foreach (var (_, b) in _buffers) b.Dispose();
        GC.SuppressFinalize(this);
    }

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;
}

/// <summary>A module that maps one input to one output.</summary>
public abstract class Module<TInput, TOutput> : Module
{
    public abstract TOutput Forward(TInput input);
}

/// <summary>Keys of a state_dict did not match a module's.</summary>
public sealed class StateDictMismatchException(string module, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected)
    : Exception(Describe(module, missing, unexpected))
{
    public IReadOnlyList<string> Missing { get; } = missing;
    public IReadOnlyList<string> Unexpected { get; } = unexpected;

    private static string Describe(string module, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected)
    {
        static string List(IReadOnlyList<string> keys) =>
            string.Join(", ", keys.Take(8)) + (keys.Count > 8 ? $" and {keys.Count - 8} more" : "");
        var parts = new List<string>();
        if (missing.Count > 0) parts.Add($"missing keys: {List(missing)}");
        if (unexpected.Count > 0) parts.Add($"unexpected keys: {List(unexpected)}");
        return $"state_dict does not match {module}: {string.Join("; ", parts)}";
    }
}
