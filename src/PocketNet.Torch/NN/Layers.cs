namespace PocketNet.Torch.NN;

/// <summary>Modules applied in order; children are named "0", "1", ... as in torch.nn.Sequential.</summary>
public sealed class Sequential : Module<Tensor, Tensor>
{
    private readonly List<Module<Tensor, Tensor>> _layers = new();

    public Sequential(params Module<Tensor, Tensor>[] layers)
    {
        foreach (var layer in layers) Append(layer);
    }

    public int Count => _layers.Count;

    public Module<Tensor, Tensor> this[int index] => _layers[index];

    public Sequential Append(Module<Tensor, Tensor> layer)
    {
        RegisterModule(_layers.Count.ToString(), layer);
        _layers.Add(layer);
        return this;
    }

    /// <summary>
    /// Runs the layers in order. Each intermediate handle is released as soon as the next layer has
    /// consumed it (autograd keeps what it needs alive natively), so long stacks do not pile up handles
    /// in the caller's scope; a scope that later meets an already disposed tensor skips it.
    /// </summary>
    public override Tensor Forward(Tensor input)
    {
        Tensor x = input;
        foreach (var layer in _layers)
        {
            Tensor next = layer.Forward(x);
            if (!ReferenceEquals(x, input) && !ReferenceEquals(x, next)) x.Dispose();
            x = next;
        }
        return x;
    }
}

/// <summary>An indexed list of child modules, named "0", "1", ... as in torch.nn.ModuleList.</summary>
public sealed class ModuleList<T> : Module, IReadOnlyList<T> where T : Module
{
    private readonly List<T> _items = new();

    public ModuleList(IEnumerable<T>? items = null)
    {
        foreach (T item in items ?? []) Add(item);
    }

    public void Add(T item)
    {
        RegisterModule(_items.Count.ToString(), item);
        _items.Add(item);
    }

    public T this[int index] => _items[index];
    public int Count => _items.Count;
    public IEnumerator<T> GetEnumerator() => _items.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Returns its input unchanged (a new handle on the same tensor).</summary>
public sealed class Identity : Module<Tensor, Tensor>
{
    public override Tensor Forward(Tensor input) => input.Alias();
}

public sealed class ReLU : Module<Tensor, Tensor>
{
    public override Tensor Forward(Tensor input) => LayerObserver.Notify(this, input, input.Relu());
}

/// <summary>
/// min(max(x, 0), 6). Deliberately not a kind of <see cref="ReLU"/>: in PyTorch ReLU6 is no nn.ReLU
/// subclass, so the paper's FLOP counter (which matches nn.ReLU and nn.PReLU) does not count it.
/// </summary>
public sealed class ReLU6 : Module<Tensor, Tensor>
{
    public override Tensor Forward(Tensor input) => LayerObserver.Notify(this, input, input.Clamp(0, 6));
}

/// <summary>Zeroes elements with probability p in training and scales the rest by 1/(1-p).</summary>
public sealed class Dropout(double p = 0.5) : Module<Tensor, Tensor>
{
    public double P { get; } = p is >= 0 and < 1 ? p : throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability must be in [0, 1)");

    public override Tensor Forward(Tensor input) => Functional.Dropout(input, P, IsTraining);
}

public sealed class Flatten(long startDim = 1, long endDim = -1) : Module<Tensor, Tensor>
{
    public override Tensor Forward(Tensor input) => input.Flatten(startDim, endDim);
}

public sealed class MaxPool2d(long kernel, long? stride = null, long padding = 0) : Module<Tensor, Tensor>
{
    public long KernelSize { get; } = kernel;

    public override Tensor Forward(Tensor input) => LayerObserver.Notify(this, input, Functional.MaxPool2d(input, KernelSize, stride, padding));
}

public sealed class AvgPool2d(long kernel, long? stride = null, long padding = 0, bool countIncludePad = true) : Module<Tensor, Tensor>
{
    public long KernelSize { get; } = kernel;

    public override Tensor Forward(Tensor input) =>
        LayerObserver.Notify(this, input, Functional.AvgPool2d(input, KernelSize, stride, padding, countIncludePad: countIncludePad));
}
