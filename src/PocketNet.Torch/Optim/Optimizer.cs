using System.Globalization;

namespace PocketNet.Torch.Optim;

/// <summary>
/// The common part of every optimiser, as torch.optim.Optimizer: parameter groups, the per-parameter
/// state, <see cref="Step"/>, <see cref="ZeroGrad"/> and state save/restore. The optimiser never owns
/// the parameters (their module does) but owns every state tensor it creates, releasing them on
/// <see cref="Dispose"/>.
/// </summary>
public abstract class Optimizer : IDisposable
{
    private readonly ParamGroup[] _groups;
    private readonly Tensor[] _parameters;
    private ParameterState?[] _state;
    private bool _disposed;

    protected Optimizer(IEnumerable<ParamGroup> groups, double learningRate, double weightDecay)
    {
        ArgumentNullException.ThrowIfNull(groups);
        if (!(learningRate >= 0) || double.IsInfinity(learningRate))
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "the learning rate must be a finite non-negative number");
        if (!(weightDecay >= 0) || double.IsInfinity(weightDecay))
            throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "the weight decay must be a finite non-negative number");

        _groups = groups.ToArray();
        if (_groups.Length == 0) throw new ArgumentException("an optimiser needs at least one parameter group", nameof(groups));

        // Validate everything before claiming any group, so a failed construction leaves the groups usable.
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var all = new List<Tensor>();
        foreach (ParamGroup group in _groups)
        {
            ArgumentNullException.ThrowIfNull(group, nameof(groups));
            if (group.Owner is not null) throw new ArgumentException("a parameter group already belongs to another optimiser", nameof(groups));
            foreach (Tensor p in group.Parameters)
            {
                ArgumentNullException.ThrowIfNull(p, nameof(groups));
                if (p.IsDisposed) throw new ArgumentException("a parameter was already disposed", nameof(groups));
                if (!p.IsLeaf) throw new ArgumentException("can't optimise a non-leaf tensor", nameof(groups));
                if (!seen.Add(p)) throw new ArgumentException("a parameter appears more than once in the parameter groups", nameof(groups));
                all.Add(p);
            }
        }
        if (all.Count == 0) throw new ArgumentException("the optimiser got an empty parameter list", nameof(groups));

        foreach (ParamGroup group in _groups)
        {
            group.ApplyDefaults(learningRate, weightDecay);
            group.Owner = this;
        }
        _parameters = all.ToArray();
        _state = new ParameterState?[_parameters.Length];
    }

    public IReadOnlyList<ParamGroup> ParamGroups => _groups;

    /// <summary>Every parameter, across groups, in index order (the order of the state keys).</summary>
    public IReadOnlyList<Tensor> Parameters => _parameters;

    /// <summary>
    /// The learning rate of the first group (divided by its scale). Setting it sets every group's rate to
    /// <c>value * group.LearningRateScale</c>: this is what a schedule drives.
    /// </summary>
    public double LearningRate
    {
        get => _groups[0].LearningRate / _groups[0].LearningRateScale;
        set
        {
            if (!(value >= 0) || double.IsInfinity(value))
                throw new ArgumentOutOfRangeException(nameof(value), value, "the learning rate must be a finite non-negative number");
            foreach (ParamGroup group in _groups) group.LearningRate = value * group.LearningRateScale;
        }
    }

    /// <summary>Names of the buffers a parameter holds once it has been updated, in state-key order.</summary>
    protected abstract IReadOnlyList<string> StateNames { get; }

    /// <summary>Hyper-parameters other than learning rate and weight decay, recorded in the saved state.</summary>
    protected virtual IReadOnlyDictionary<string, double> Options => new Dictionary<string, double>();

    /// <summary>
    /// Applies one update to <paramref name="parameter"/>. Called under no-grad inside a dispose scope
    /// that releases every temporary; <paramref name="state"/>.Step already counts this update.
    /// </summary>
    protected abstract void Update(ParamGroup group, Tensor parameter, Tensor grad, ParameterState state);

    /// <summary>
    /// One optimisation step over every parameter that has a gradient; parameters without one are
    /// skipped (their state, step count included, is left as it was), as PyTorch skips them.
    /// </summary>
    public void Step()
    {
        ThrowIfDisposed();
        using var noGrad = Engine.NoGrad();
        int index = 0;
        foreach (ParamGroup group in _groups)
            foreach (Tensor parameter in group.Parameters)
            {
                int i = index++;
                // One scope per parameter: temporaries (the gradient handle, decayed gradients, Adam's
                // denominator) live only as long as this parameter's update, keeping peak memory low.
                using var scope = DisposeScope.Enter();
                Tensor? grad = parameter.Grad;
                if (grad is null) continue;
                ParameterState state = _state[i] ??= new ParameterState();
                state.Step++;
                Update(group, parameter, grad, state);
            }
    }

    /// <summary>Clears every parameter's gradient (PyTorch's zero_grad(set_to_none=True)).</summary>
    public void ZeroGrad()
    {
        ThrowIfDisposed();
        foreach (Tensor p in _parameters) p.Grad = null;
    }

    // ---- state save and restore ------------------------------------------------------------------

    /// <summary>
    /// The optimiser's state: its own live buffers under <c>state.{i}.{name}</c> (do not dispose them)
    /// and the scalars (group settings, step counts).
    /// </summary>
    public OptimizerState StateDict()
    {
        ThrowIfDisposed();
        var tensors = new List<KeyValuePair<string, Tensor>>();
        var perParameter = new Dictionary<string, ParameterScalars>(StringComparer.Ordinal);
        for (int i = 0; i < _state.Length; i++)
        {
            if (_state[i] is not { } state) continue;
            perParameter[i.ToString(CultureInfo.InvariantCulture)] = new ParameterScalars { Step = state.Step };
            foreach (string name in StateNames)
                if (state.Get(name) is { } buffer)
                    tensors.Add(new(OptimizerState.TensorKey(i, name), buffer));
        }

        var groups = new List<ParamGroupScalars>();
        int index = 0;
        IReadOnlyDictionary<string, double> options = Options;
        foreach (ParamGroup group in _groups)
        {
            groups.Add(new ParamGroupScalars
            {
                LearningRate = group.LearningRate,
                WeightDecay = group.WeightDecay,
                LearningRateScale = group.LearningRateScale,
                Params = Enumerable.Range(index, group.Parameters.Count).ToArray(),
                Options = options,
            });
            index += group.Parameters.Count;
        }

        var scalars = new OptimizerScalars { Optimizer = GetType().Name, ParamGroups = groups, State = perParameter };
        return new OptimizerState(tensors, scalars);
    }

    public void LoadState(OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (key, tensor) in state.Tensors)
            if (!tensors.TryAdd(key, tensor)) throw new ArgumentException($"optimiser state has the key '{key}' twice", nameof(state));
        LoadState(tensors, state.Scalars);
    }

    /// <summary>
    /// Replaces this optimiser's state with a saved one: buffers are copied (to each parameter's device
    /// and type), step counts and each group's learning rate and weight decay are restored. The groups
    /// must hold as many parameters as when the state was saved, and every buffer must match its
    /// parameter's shape; on any mismatch nothing is changed. Other hyper-parameters (momentum, betas...)
    /// stay those this optimiser was built with.
    /// </summary>
    public void LoadState(IReadOnlyDictionary<string, Tensor> tensors, OptimizerScalars scalars)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(scalars);
        ThrowIfDisposed();

        if (scalars.Optimizer != GetType().Name)
            throw new ArgumentException($"the state was saved by {scalars.Optimizer}, not {GetType().Name}", nameof(scalars));
        if (scalars.ParamGroups.Count != _groups.Length)
            throw new ArgumentException($"the state has {scalars.ParamGroups.Count} parameter groups, the optimiser {_groups.Length}", nameof(scalars));
        int index = 0;
        for (int g = 0; g < _groups.Length; g++)
        {
            var expected = Enumerable.Range(index, _groups[g].Parameters.Count);
            if (!scalars.ParamGroups[g].Params.SequenceEqual(expected))
                throw new ArgumentException(
                    $"parameter group {g} of the state holds parameters [{string.Join(", ", scalars.ParamGroups[g].Params)}], " +
                    $"the optimiser's holds {_groups[g].Parameters.Count} starting at {index}", nameof(scalars));
            index += _groups[g].Parameters.Count;
            double lr = scalars.ParamGroups[g].LearningRate, wd = scalars.ParamGroups[g].WeightDecay;
            if (!(lr >= 0) || double.IsInfinity(lr) || !(wd >= 0) || double.IsInfinity(wd))
                throw new ArgumentException($"parameter group {g} of the state has learning rate {lr} and weight decay {wd}", nameof(scalars));
        }

        var loaded = new ParameterState?[_parameters.Length];
        var used = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            using var noGrad = Engine.NoGrad();
            foreach (var (key, scalar) in scalars.State)
            {
                if (!int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out int i) || i >= _parameters.Length)
                    throw new ArgumentException($"the state names parameter '{key}', but the optimiser has {_parameters.Length} parameters", nameof(scalars));
                if (loaded[i] is not null) throw new ArgumentException($"the state names parameter {i} twice", nameof(scalars));
                if (scalar.Step < 0) throw new ArgumentException($"parameter {i} has a negative step count", nameof(scalars));
                Tensor parameter = _parameters[i];
                var state = loaded[i] = new ParameterState { Step = scalar.Step };
                foreach (string name in StateNames)
                {
                    string tensorKey = OptimizerState.TensorKey(i, name);
                    if (!tensors.TryGetValue(tensorKey, out Tensor? source))
                    {
                        // A parameter that was never updated has no buffers yet; one that was has them all.
                        if (scalar.Step == 0) continue;
                        throw new ArgumentException($"the optimiser state lacks '{tensorKey}'", nameof(tensors));
                    }
                    if (!source.Shape.SequenceEqual(parameter.Shape))
                        throw new ArgumentException(
                            $"'{tensorKey}' has shape [{string.Join(", ", source.Shape)}] but its parameter [{string.Join(", ", parameter.Shape)}]", nameof(tensors));
                    used.Add(tensorKey);
                    using var scope = DisposeScope.Enter();
                    state.Set(name, source.To(parameter.DType, parameter.Device, copy: true));
                }
            }
            var unexpected = tensors.Keys.Where(k => !used.Contains(k)).ToList();
            if (unexpected.Count > 0)
                throw new ArgumentException($"unexpected optimiser state tensors: {string.Join(", ", unexpected.Take(8))}", nameof(tensors));
        }
        catch
        {
            foreach (ParameterState? s in loaded) s?.Dispose();
            throw;
        }

        for (int g = 0; g < _groups.Length; g++)
        {
            _groups[g].LearningRate = scalars.ParamGroups[g].LearningRate;
            _groups[g].WeightDecay = scalars.ParamGroups[g].WeightDecay;
        }
        foreach (ParameterState? s in _state) s?.Dispose();
        _state = loaded;
    }

    // ---- lifetime --------------------------------------------------------------------------------

    protected void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (ParameterState? s in _state) s?.Dispose();
        Array.Clear(_state);
        foreach (ParamGroup group in _groups) group.Owner = null;
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// One parameter's state: its update count and named buffers. Buffers stored here are taken out of
    /// scope ownership and belong to the optimiser.
    /// </summary>
    protected sealed class ParameterState : IDisposable
    {
        private readonly Dictionary<string, Tensor> _buffers = new(StringComparer.Ordinal);

        internal ParameterState() { }

        /// <summary>Updates applied to the parameter, this one included while <see cref="Update"/> runs.</summary>
        public long Step { get; internal set; }

        public Tensor? Get(string name) => _buffers.GetValueOrDefault(name);

        /// <summary>Stores <paramref name="buffer"/> under <paramref name="name"/>, taking ownership; returns it.</summary>
        public Tensor Set(string name, Tensor buffer)
        {
            buffer.DetachFromScope();
            if (_buffers.TryGetValue(name, out Tensor? old) && !ReferenceEquals(old, buffer)) old.Dispose();
            _buffers[name] = buffer;
            return buffer;
        }

        public void Dispose()
        {
            foreach (Tensor t in _buffers.Values) t.Dispose();
            _buffers.Clear();
        }
    }
}
