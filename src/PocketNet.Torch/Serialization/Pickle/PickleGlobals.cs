using System.Text;

namespace PocketNet.Torch.Serialization.Pickle;

/// <summary>
/// The allow-list of Python globals a <see cref="PickleReader"/> may resolve. A pickle can name any
/// callable (os.system, subprocess.Popen, ...) and have the unpickler call it; here nothing is ever
/// imported or executed: a global either maps to a registered managed stand-in or the load fails with
/// its name. <see cref="CreateDefault"/> admits only the plain-data reconstructors every pickle uses.
/// </summary>
public sealed class PickleGlobals
{
    private readonly Dictionary<(string Module, string Name), PickleGlobal> _allowed = new();

    /// <summary>
    /// collections.OrderedDict (to a <see cref="PickleDict"/>), and _codecs.encode and bytes() (how
    /// Python 3 writes bytes at protocol 2: a latin-1 string to encode, or an empty bytes()).
    /// </summary>
    public static PickleGlobals CreateDefault()
    {
        var globals = new PickleGlobals();
        globals.Register("collections", "OrderedDict", NewOrderedDict);
        globals.Register("_codecs", "encode", EncodeString);
        // Python 3 writes an empty bytes object at protocol 2 as bytes(), under its Python 2 module name.
        globals.Register("__builtin__", "bytes", EmptyBytes);
        globals.Register("builtins", "bytes", EmptyBytes);
        return globals;
    }

    /// <summary>Admits <paramref name="module"/>.<paramref name="name"/>; a null <paramref name="call"/> admits it only as a value.</summary>
    public PickleGlobals Register(string module, string name, Func<object?[], object?>? call, object? tag = null)
    {
        _allowed[(module, name)] = new PickleGlobal(module, name, call, tag);
        return this;
    }

    /// <summary>The admitted global, or null when it is not on the list.</summary>
    public PickleGlobal? Resolve(string module, string name) => _allowed.GetValueOrDefault((module, name));

    public IEnumerable<string> Names => _allowed.Values.Select(g => g.FullName).Order(StringComparer.Ordinal);

    private static object NewOrderedDict(object?[] args)
    {
        if (args.Length != 0)
            throw new InvalidDataException($"collections.OrderedDict is called with {args.Length} arguments; only OrderedDict() is supported");
        return new PickleDict();
    }

    private static object EmptyBytes(object?[] args) =>
        args.Length == 0 ? Array.Empty<byte>() : throw new InvalidDataException("only bytes() without arguments is supported");

    private static object EncodeString(object?[] args)
    {
        if (args is not [string text, string encoding])
            throw new InvalidDataException("_codecs.encode expects (str, encoding)");
        return encoding.ToLowerInvariant() switch
        {
            // Python 3 pickles each byte b as the code point U+00b, so latin-1 gives the bytes back.
            "latin1" or "latin-1" or "iso-8859-1" or "iso8859-1" when text.All(c => c <= '\u00ff') => Encoding.Latin1.GetBytes(text),
            "utf-8" or "utf8" => Encoding.UTF8.GetBytes(text),
            _ => throw new InvalidDataException($"_codecs.encode with encoding '{encoding}' is not supported"),
        };
    }
}
