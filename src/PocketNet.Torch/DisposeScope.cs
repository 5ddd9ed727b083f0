namespace PocketNet.Torch;

/// <summary>
/// Owns every tensor created on this thread while it is the innermost open scope, and releases them
/// all when disposed: wrap each training step in one and native memory stays flat. A tensor that must
/// outlive the scope is handed to the enclosing scope with <see cref="Tensor.MoveToOuterScope"/> or
/// taken out of scope ownership altogether with <see cref="Tensor.DetachFromScope"/>.
/// </summary>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic] private static DisposeScope? _current;

    private readonly DisposeScope? _outer;
    private readonly List<Tensor> _owned = new();
    private int _compactAt = 1024;
    private bool _disposed;

    private DisposeScope(DisposeScope? outer) => _outer = outer;

    /// <summary>The innermost open scope of this thread, if any.</summary>
    public static DisposeScope? Current => _current;

    /// <summary>Opens a scope nested in the current one.</summary>
    public static DisposeScope Enter() => _current = new DisposeScope(_current);

    internal DisposeScope? Outer => _outer;

    /// <summary>Entries in the ownership list, dead ones included (bounded by compaction).</summary>
    internal int TrackedCount => _owned.Count;

    /// <summary>Tensors this scope still owns.</summary>
    public int Count => _owned.Count(t => t.Scope == this);

    internal void Attach(Tensor tensor)
    {
        if (_disposed) throw new ObjectDisposedException(nameof(DisposeScope));
        _owned.Add(tensor);
        tensor.Scope = this;
        // A long-lived scope around a loop would otherwise keep every early-disposed or moved tensor reachable.
        if (_owned.Count >= _compactAt)
        {
            _owned.RemoveAll(t => t.Scope != this);
            _compactAt = Math.Max(1024, 2 * _owned.Count);
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        if (_current != this)
            throw new InvalidOperationException("dispose scopes must be closed innermost first");
        _disposed = true;
        _current = _outer;
        foreach (Tensor tensor in _owned)
            if (tensor.Scope == this) tensor.Dispose();
        _owned.Clear();
    }
}
