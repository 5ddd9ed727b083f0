using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace PocketNet.Torch.Serialization.Pickle;

/// <summary>
/// A small, safe interpreter for Python pickles (the binary opcodes of protocols 2 to 5, plus the
/// py2-era byte strings), used to read torch.save checkpoints and InsightFace .bin files. It builds
/// plain managed values and never imports or runs anything: globals resolve only through a
/// <see cref="PickleGlobals"/> allow-list, and persistent ids go to a caller-supplied function.
/// </summary>
/// <remarks>
/// Python values map to: None → null, bool → bool, int → long (BigInteger when it does not fit),
/// float → double, str → string, bytes / bytearray / py2 str → byte[], tuple → object?[],
/// list → List&lt;object?&gt;, dict → <see cref="PickleDict"/>. Reading is buffered, so the stream may
/// be read past the STOP opcode.
/// </remarks>
public sealed class PickleReader
{
    private const int HighestProtocol = 5;
    private const int MaxLineBytes = 1024;

    private readonly Stream _stream;
    private readonly string _source;
    private readonly PickleGlobals _globals;
    private readonly Func<object?, object?>? _persistentLoad;

    private readonly Stack<List<object?>> _metastack = new();
    private readonly Dictionary<long, object?> _memo = new();
    private List<object?> _stack = new();
    private long _position;
    private readonly long _end; // the stream's length when it can tell, else -1

    /// <param name="stream">The pickle, read from its current position.</param>
    /// <param name="sourceName">Names the file in error messages.</param>
    /// <param name="globals">The admitted globals; <see cref="PickleGlobals.CreateDefault"/> when null.</param>
    /// <param name="persistentLoad">Resolves persistent ids (BINPERSID); without it a pickle that uses them is refused.</param>
    public PickleReader(Stream stream, string sourceName, PickleGlobals? globals = null, Func<object?, object?>? persistentLoad = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream is BufferedStream or MemoryStream ? stream : new BufferedStream(stream, 1 << 16);
        _end = _stream.CanSeek ? _stream.Length : -1;
        _source = sourceName;
        _globals = globals ?? PickleGlobals.CreateDefault();
        _persistentLoad = persistentLoad;
    }

    /// <summary>Reads the pickle in the file at <paramref name="path"/>.</summary>
    public static object? Load(string path, PickleGlobals? globals = null)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return new PickleReader(file, path, globals).Load();
    }

    /// <summary>Runs the pickle up to its STOP opcode and returns the value it built.</summary>
    public object? Load()
    {
        while (true)
        {
            long at = _position;
            int code = _stream.ReadByte();
            if (code < 0) throw Fail($"the pickle ends at byte {at} without a STOP opcode: it is truncated");
            _position++;
            var op = (PickleOpcode)code;
            try
            {
                if (Execute(op)) return Pop();
            }
            catch (CheckpointFormatException)
            {
                throw;
            }
            catch (Exception e) when (e is InvalidDataException or InvalidCastException or ArgumentException or OverflowException
                                          or KeyNotFoundException or TorchException or NotSupportedException)
            {
                throw Fail($"{e.Message} (opcode {Describe(op)} at byte {at})", e);
            }
        }
    }

    // ---- the interpreter -------------------------------------------------------------------------

    /// <summary>Executes one opcode; true at STOP.</summary>
    private bool Execute(PickleOpcode op)
    {
        switch (op)
        {
            case PickleOpcode.Proto:
                int protocol = ReadUInt8();
                if (protocol > HighestProtocol)
                    throw new InvalidDataException($"pickle protocol {protocol} is newer than the supported {HighestProtocol}");
                break;
            case PickleOpcode.Frame:
                ReadUInt64(); // frames only help readers that prefetch; the content is read the same either way
                break;
            case PickleOpcode.Stop:
                return true;

            // structure
            case PickleOpcode.Mark:
                _metastack.Push(_stack);
                _stack = new List<object?>();
                break;
            case PickleOpcode.Pop:
                if (_stack.Count > 0) Pop();
                else PopMark();
                break;
            case PickleOpcode.PopMark:
                PopMark();
                break;
            case PickleOpcode.Dup:
                Push(Peek());
                break;

            // constants
            case PickleOpcode.None: Push(null); break;
            case PickleOpcode.NewTrue: Push(true); break;
            case PickleOpcode.NewFalse: Push(false); break;
            case PickleOpcode.BinInt: Push((long)ReadInt32()); break;
            case PickleOpcode.BinInt1: Push((long)ReadUInt8()); break;
            case PickleOpcode.BinInt2: Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadSmall(2))); break;
            case PickleOpcode.Long1: Push(ParseLong(ReadBytes(ReadUInt8()))); break;
            case PickleOpcode.Long4: Push(ParseLong(ReadBytes(ReadLength32()))); break;
            case PickleOpcode.BinFloat: Push(BinaryPrimitives.ReadDoubleBigEndian(ReadSmall(8))); break;

            // strings and bytes
            case PickleOpcode.ShortBinUnicode: Push(ReadString(ReadUInt8())); break;
            case PickleOpcode.BinUnicode: Push(ReadString(ReadUInt32())); break;
            case PickleOpcode.BinUnicode8: Push(ReadString(ReadLength64())); break;
            case PickleOpcode.ShortBinBytes: Push(ReadBytes(ReadUInt8())); break;
            case PickleOpcode.BinBytes: Push(ReadBytes(ReadUInt32())); break;
            case PickleOpcode.BinBytes8: Push(ReadBytes(ReadLength64())); break;
            case PickleOpcode.ByteArray8: Push(ReadBytes(ReadLength64())); break;
            // Python 2 str: raw bytes (what Python 3 gives with encoding='bytes', the only lossless choice).
            case PickleOpcode.ShortBinString: Push(ReadBytes(ReadUInt8())); break;
            case PickleOpcode.BinString: Push(ReadBytes(ReadLength32())); break;

            // containers
            case PickleOpcode.EmptyTuple: Push(Array.Empty<object?>()); break;
            case PickleOpcode.Tuple1: Push(PopMany(1)); break;
            case PickleOpcode.Tuple2: Push(PopMany(2)); break;
            case PickleOpcode.Tuple3: Push(PopMany(3)); break;
            case PickleOpcode.Tuple: Push(PopMark().ToArray()); break;
            case PickleOpcode.EmptyList: Push(new List<object?>()); break;
            case PickleOpcode.List: Push(PopMark()); break;
            case PickleOpcode.EmptyDict: Push(new PickleDict()); break;
            case PickleOpcode.Dict:
            {
                var dict = new PickleDict();
                SetItems(dict, PopMark());
                Push(dict);
                break;
            }
            case PickleOpcode.Append:
            {
                object? value = Pop();
                PeekAs<List<object?>>("APPEND").Add(value);
                break;
            }
            case PickleOpcode.Appends:
            {
                List<object?> items = PopMark();
                PeekAs<List<object?>>("APPENDS").AddRange(items);
                break;
            }
            case PickleOpcode.SetItem:
            {
                object? value = Pop(), key = Pop();
                SetItem(PeekAs<PickleDict>("SETITEM"), key, value);
                break;
            }
            case PickleOpcode.SetItems:
            {
                List<object?> items = PopMark();
                SetItems(PeekAs<PickleDict>("SETITEMS"), items);
                break;
            }

            // memo
            case PickleOpcode.BinPut: _memo[ReadUInt8()] = Peek(); break;
            case PickleOpcode.LongBinPut: _memo[ReadUInt32()] = Peek(); break;
            case PickleOpcode.Memoize: _memo[_memo.Count] = Peek(); break;
            case PickleOpcode.BinGet: Push(MemoGet(ReadUInt8())); break;
            case PickleOpcode.LongBinGet: Push(MemoGet(ReadUInt32())); break;

            // objects
            case PickleOpcode.Global:
            {
                string module = ReadLine(), name = ReadLine();
                Push(ResolveGlobal(module, name));
                break;
            }
            case PickleOpcode.StackGlobal:
            {
                object? name = Pop(), module = Pop();
                if (module is not string m || name is not string n)
                    throw new InvalidDataException($"STACK_GLOBAL needs two strings, found {TypeName(module)} and {TypeName(name)}");
                Push(ResolveGlobal(m, n));
                break;
            }
            case PickleOpcode.Reduce:
            case PickleOpcode.NewObj:
            {
                object? args = Pop(), callable = Pop();
                Push(Invoke(callable, args));
                break;
            }
            case PickleOpcode.NewObjEx:
            {
                object? kwargs = Pop(), args = Pop(), callable = Pop();
                if (kwargs is not PickleDict { Count: 0 })
                    throw new InvalidDataException("NEWOBJ_EX with keyword arguments is not supported");
                Push(Invoke(callable, args));
                break;
            }
            case PickleOpcode.Build:
            {
                object? state = Pop();
                Build(Peek(), state);
                break;
            }
            case PickleOpcode.BinPersId:
            {
                object? id = Pop();
                if (_persistentLoad is null)
                    throw new InvalidDataException("the pickle refers to external data (a persistent id) but no resolver was given");
                Push(_persistentLoad(id));
                break;
            }

            default:
                throw new NotSupportedException(Enum.IsDefined(op)
                    ? $"opcode {Describe(op)} is not supported (only the binary opcodes of pickle protocols 2 to 5 are)"
                    : $"byte 0x{(byte)op:x2} is not a pickle opcode: the data is corrupt or not a pickle");
        }
        return false;
    }

    private object? ResolveGlobal(string module, string name) =>
        _globals.Resolve(module, name) ?? throw Fail(
            $"the pickle refers to the global '{module}.{name}', which is not on the allow-list " +
            $"({string.Join(", ", _globals.Names)}); it is refused because unpickling it could run arbitrary code");

    private static object? Invoke(object? callable, object? args)
    {
        if (callable is not PickleGlobal global)
            throw new InvalidDataException($"only an allow-listed global can be called, not a {TypeName(callable)}");
        if (global.Call is null)
            throw new InvalidDataException($"'{global.FullName}' is admitted as a value but may not be called");
        if (args is not object?[] tuple)
            throw new InvalidDataException($"'{global.FullName}' is called with a {TypeName(args)} instead of an argument tuple");
        return global.Call(tuple);
    }

    private static void Build(object? target, object? state)
    {
        // An OrderedDict's __dict__ (PyTorch keeps state_dict._metadata there), possibly as (dict, slots).
        if (target is PickleDict dict)
        {
            if (state is object?[] { Length: 2 } pair) state = pair[0];
            if (state is null) return;
            if (state is not PickleDict attributes)
                throw new InvalidDataException($"a dict's BUILD state must be a dict, not a {TypeName(state)}");
            dict.Attributes ??= new PickleDict();
            foreach (var (key, value) in attributes) dict.Attributes[key] = value;
            return;
        }
        throw new InvalidDataException($"cannot set state on a {TypeName(target)} (BUILD)");
    }

    private static void SetItems(PickleDict dict, List<object?> items)
    {
        if (items.Count % 2 != 0) throw new InvalidDataException("SETITEMS needs key/value pairs but found an odd number of items");
        for (int i = 0; i < items.Count; i += 2) SetItem(dict, items[i], items[i + 1]);
    }

    private static void SetItem(PickleDict dict, object? key, object? value)
    {
        if (key is null or List<object?> or PickleDict)
            throw new InvalidDataException($"a {TypeName(key)} cannot be a dict key");
        dict[key] = value;
    }

    // ---- the stack -------------------------------------------------------------------------------

    private void Push(object? value) => _stack.Add(value);

    private object? Peek() =>
        _stack.Count > 0 ? _stack[^1] : throw new InvalidDataException("the pickle reads an empty stack: it is corrupt");

    private T PeekAs<T>(string opcode) where T : class =>
        Peek() as T ?? throw new InvalidDataException($"{opcode} applies to a {TypeName(Peek())}");

    private object? Pop()
    {
        object? value = Peek();
        _stack.RemoveAt(_stack.Count - 1);
        return value;
    }

    private object?[] PopMany(int count)
    {
        if (_stack.Count < count) throw new InvalidDataException("the pickle reads an empty stack: it is corrupt");
        object?[] items = _stack.GetRange(_stack.Count - count, count).ToArray();
        _stack.RemoveRange(_stack.Count - count, count);
        return items;
    }

    private List<object?> PopMark()
    {
        if (_metastack.Count == 0) throw new InvalidDataException("the pickle closes a MARK it never opened: it is corrupt");
        List<object?> items = _stack;
        _stack = _metastack.Pop();
        return items;
    }

    private object? MemoGet(long index) =>
        _memo.TryGetValue(index, out object? value) ? value : throw new InvalidDataException($"memo entry {index} was never stored");

    // ---- reading the stream ----------------------------------------------------------------------

    private readonly byte[] _small = new byte[8];

    private ReadOnlySpan<byte> ReadSmall(int count)
    {
        Span<byte> span = _small.AsSpan(0, count);
        ReadInto(span);
        return span;
    }

    private void ReadInto(Span<byte> destination)
    {
        int done = 0;
        while (done < destination.Length)
        {
            int got = _stream.Read(destination[done..]);
            if (got == 0) throw Fail($"the pickle is truncated: it ends at byte {_position + done} in the middle of a value");
            done += got;
        }
        _position += done;
    }

    private int ReadUInt8() => ReadSmall(1)[0];

    private int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(ReadSmall(4));

    private long ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(ReadSmall(4));

    private ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(ReadSmall(8));

    private long ReadLength32()
    {
        int length = ReadInt32();
        return length >= 0 ? length : throw new InvalidDataException($"negative length {length}");
    }

    private long ReadLength64()
    {
        ulong length = ReadUInt64();
        return length <= long.MaxValue ? (long)length : throw new InvalidDataException($"length {length} is absurd");
    }

    /// <summary>
    /// Reads <paramref name="count"/> bytes. A corrupt length must not make us allocate gigabytes up
    /// front, so a length is checked against the stream's size when known, and otherwise the bytes are
    /// gathered chunk by chunk as they actually arrive.
    /// </summary>
    private byte[] ReadBytes(long count)
    {
        if (count > Array.MaxLength) throw new InvalidDataException($"a value of {count} bytes is too large to load");
        if (_end >= 0 && count > _end - _stream.Position)
            throw Fail($"the pickle is truncated: a value of {count} bytes at byte {_position} runs past the end of the data");
        const int chunk = 1 << 24;
        if (_end >= 0 || count <= chunk)
        {
            var bytes = new byte[count];
            ReadInto(bytes);
            return bytes;
        }
        var gathered = new MemoryStream();
        var piece = new byte[chunk];
        for (long left = count; left > 0;)
        {
            int n = (int)Math.Min(chunk, left);
            ReadInto(piece.AsSpan(0, n));
            gathered.Write(piece, 0, n);
            left -= n;
        }
        return gathered.ToArray();
    }

    private string ReadString(long count) => Encoding.UTF8.GetString(ReadBytes(count));

    /// <summary>A newline-terminated name (GLOBAL's module and attribute).</summary>
    private string ReadLine()
    {
        var bytes = new List<byte>();
        while (true)
        {
            int b = _stream.ReadByte();
            if (b < 0) throw Fail("the pickle is truncated inside a GLOBAL name");
            _position++;
            if (b == '\n') return Encoding.UTF8.GetString(bytes.ToArray());
            if (bytes.Count >= MaxLineBytes) throw new InvalidDataException($"a GLOBAL name is longer than {MaxLineBytes} bytes");
            bytes.Add((byte)b);
        }
    }

    /// <summary>A little-endian two's-complement integer (LONG1 / LONG4).</summary>
    private static object ParseLong(byte[] bytes)
    {
        if (bytes.Length == 0) return 0L;
        var value = new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
        // (object) keeps the conditional from widening the long back to a BigInteger.
        return value >= long.MinValue && value <= long.MaxValue ? (object)(long)value : value;
    }

    // ---- messages --------------------------------------------------------------------------------

    private CheckpointFormatException Fail(string problem, Exception? inner = null) => new(_source, problem, inner);

    private static string Describe(PickleOpcode op) => Enum.IsDefined(op) ? op.ToString().ToUpperInvariant() : $"0x{(byte)op:x2}";

    /// <summary>The Python name of a value's type, for messages.</summary>
    public static string TypeName(object? value) => value switch
    {
        null => "None",
        bool => "bool",
        long or BigInteger => "int",
        double => "float",
        string => "str",
        byte[] => "bytes",
        object?[] => "tuple",
        List<object?> => "list",
        PickleDict => "dict",
        PickleGlobal g => g.FullName,
        _ => value.GetType().Name,
    };
}
