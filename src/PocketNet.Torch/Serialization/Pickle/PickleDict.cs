using System.Diagnostics.CodeAnalysis;
using System.Numerics;

namespace PocketNet.Torch.Serialization.Pickle;

/// <summary>
/// A Python dict (or OrderedDict) read from a pickle, keeping insertion order like Python does. Keys
/// are the managed forms of hashable Python values: string, long, BigInteger, double, bool, byte[]
/// and tuples (object?[]), compared by value. <see cref="Attributes"/> holds the state a BUILD opcode
/// attached (an OrderedDict's __dict__, e.g. PyTorch's state_dict._metadata).
/// </summary>
public sealed class PickleDict : IEnumerable<KeyValuePair<object, object?>>
{
    private readonly OrderedDictionary<object, object?> _items = new(PickleKeyComparer.Instance);

    public int Count => _items.Count;

    public IEnumerable<object> Keys => _items.Keys;

    public IEnumerable<object?> Values => _items.Values;

    /// <summary>Attributes set on the object by a BUILD opcode, or null when there were none.</summary>
    public PickleDict? Attributes { get; internal set; }

    public object? this[object key]
    {
        get => _items.TryGetValue(key, out object? value) ? value : throw new KeyNotFoundException($"no key {key}");
        set => _items[key] = value;
    }

    public bool ContainsKey(object key) => _items.ContainsKey(key);

    public bool TryGetValue(object key, out object? value) => _items.TryGetValue(key, out value);

    /// <summary>The value under <paramref name="key"/> when it exists and is a <typeparamref name="T"/>.</summary>
    public bool TryGet<T>(object key, [MaybeNullWhen(false)] out T value)
    {
        if (_items.TryGetValue(key, out object? raw) && raw is T typed)
        {
            value = typed;
            return true;
        }
        value = default;
        return false;
    }

    public IEnumerator<KeyValuePair<object, object?>> GetEnumerator() => _items.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Python-like key equality: tuples and bytes by content, everything else by value.</summary>
internal sealed class PickleKeyComparer : IEqualityComparer<object>
{
    public static readonly PickleKeyComparer Instance = new();

    public new bool Equals(object? x, object? y)
    {
        if (ReferenceEquals(x, y)) return true;
        return (x, y) switch
        {
            (object?[] a, object?[] b) => a.Length == b.Length && a.Zip(b).All(p => Equals(p.First, p.Second)),
            (byte[] a, byte[] b) => a.AsSpan().SequenceEqual(b),
            (null, _) or (_, null) => false,
            _ => x.Equals(y),
        };
    }

    public int GetHashCode(object obj) => obj switch
    {
        object?[] tuple => tuple.Aggregate(17, (h, item) => HashCode.Combine(h, item is null ? 0 : GetHashCode(item))),
        byte[] bytes => bytes.Length == 0 ? 0 : HashCode.Combine(bytes.Length, bytes[0], bytes[^1]),
        BigInteger big => big.GetHashCode(),
        _ => obj.GetHashCode(),
    };
}
