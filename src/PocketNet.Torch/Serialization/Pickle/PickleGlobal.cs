namespace PocketNet.Torch.Serialization.Pickle;

/// <summary>
/// A Python global (module.name) that a pickle referred to and that the allow-list admitted. It is
/// either callable (REDUCE / NEWOBJ run <see cref="Call"/>, a managed stand-in for the Python
/// callable) or a plain marker, such as torch.FloatStorage, that is only passed around as a value.
/// </summary>
public sealed class PickleGlobal
{
    public PickleGlobal(string module, string name, Func<object?[], object?>? call = null, object? tag = null)
    {
        Module = module;
        Name = name;
        Call = call;
        Tag = tag;
    }

    public string Module { get; }

    public string Name { get; }

    public string FullName => $"{Module}.{Name}";

    /// <summary>What calling the global with a tuple of arguments yields; null when it may not be called.</summary>
    public Func<object?[], object?>? Call { get; }

    /// <summary>Free data for the code that registered the global (for example the element type of a storage class).</summary>
    public object? Tag { get; }

    public override string ToString() => FullName;
}
