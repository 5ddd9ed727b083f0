using System.Diagnostics.CodeAnalysis;

namespace PocketNet.Torch.Serialization;

/// <summary>
/// Named tensors read from a checkpoint, in the file's order, plus the file's string metadata. The
/// dictionary owns its tensors (they belong to no <see cref="DisposeScope"/>): disposing it releases
/// them all, and <see cref="Take"/> hands one over to the caller. It can be passed straight to
/// <see cref="NN.Module.LoadStateDict"/>, which copies the values into the module.
/// </summary>
public sealed class TensorDictionary : IReadOnlyDictionary<string, Tensor>, IDisposable
{
    private static readonly IReadOnlyDictionary<string, string> NoMetadata = new Dictionary<string, string>();

    private readonly OrderedDictionary<string, Tensor> _tensors = new(StringComparer.Ordinal);
    private bool _disposed;

    public TensorDictionary(IReadOnlyDictionary<string, string>? metadata = null) =>
        Metadata = metadata ?? NoMetadata;

    /// <summary>Free-form string metadata of the file (safetensors "__metadata__"); empty when there is none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Adds a tensor, taking ownership of it (it is detached from any scope).</summary>
    public void Add(string name, Tensor tensor)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_tensors.TryAdd(name, tensor))
            throw new ArgumentException($"a tensor named '{name}' is already present", nameof(name));
        tensor.DetachFromScope();
    }

    /// <summary>Removes the tensor named <paramref name="name"/> and gives it to the caller, who then disposes it.</summary>
    public Tensor Take(string name)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_tensors.Remove(name, out Tensor? tensor))
            throw new KeyNotFoundException($"no tensor named '{name}'");
        return tensor;
    }

    public Tensor this[string key] =>
        _tensors.TryGetValue(key, out Tensor? tensor) ? tensor : throw new KeyNotFoundException($"no tensor named '{key}'");

    public IEnumerable<string> Keys => _tensors.Keys;

    public IEnumerable<Tensor> Values => _tensors.Values;

    public int Count => _tensors.Count;

    public bool ContainsKey(string key) => _tensors.ContainsKey(key);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out Tensor value) => _tensors.TryGetValue(key, out value);

    public IEnumerator<KeyValuePair<string, Tensor>> GetEnumerator() => _tensors.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (Tensor tensor in _tensors.Values) tensor.Dispose();
        _tensors.Clear();
    }
}
