using System.Globalization;
using System.IO.Compression;
using System.Text;
using PocketNet.Torch.Serialization.Pickle;

namespace PocketNet.Torch.Serialization;

/// <summary>
/// Imports the tensors of a PyTorch checkpoint written by torch.save (the zip format PyTorch uses
/// since 1.6): a zip whose &lt;archive&gt;/data.pkl pickle describes the saved object and whose
/// &lt;archive&gt;/data/&lt;key&gt; entries hold the raw storages it points at. The pickle is run by
/// <see cref="PickleReader"/> with an allow-list that admits only the tensor reconstructors, so a
/// checkpoint can never run code.
/// </summary>
/// <remarks>
/// Which tensors come back: the pickled root must be a dict. If it has a "state_dict" entry that is a
/// dict, that entry is used instead of the root (the usual {"epoch": .., "state_dict": ..} training
/// checkpoint). Every tensor reachable from the chosen dict is returned under its key; tensors inside
/// nested dicts, lists and tuples get dotted names ("model.conv.weight", "layers.0.bias"), and values
/// that are not tensors (numbers, strings, None) are skipped. Tensors come back contiguous, never
/// requiring grad, each with its own memory unless PyTorch saved them as the same whole storage.
/// The legacy pre-1.6 format (torch.save with _use_new_zipfile_serialization=False) and TorchScript
/// archives are refused with a message saying so.
/// </remarks>
public static class TorchCheckpoint
{
    /// <summary>Reads every tensor of the checkpoint onto <paramref name="device"/> (the CPU by default).</summary>
    public static TensorDictionary Load(string path, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        Device target = device ?? Device.Cpu;
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        CheckSignature(path, file);

        ZipArchive zip;
        try
        {
            zip = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            throw new CheckpointFormatException(path, $"the file starts like a zip archive but cannot be read as one ({e.Message})", e);
        }

        using (zip)
        {
            string prefix = FindArchive(path, zip);
            CheckByteOrder(path, zip, prefix);

            // Storages and intermediate views die with this scope; only the returned tensors leave it.
            using var scope = DisposeScope.Enter();
            using var storages = new StorageReader(path, zip, prefix);
            object? root;
            try
            {
                using Stream pickle = zip.GetEntry($"{prefix}/data.pkl")!.Open();
                root = new PickleReader(pickle, path, CreateGlobals(), storages.Load).Load();
            }
            catch (InvalidDataException e)
            {
                throw new CheckpointFormatException(path, $"{prefix}/data.pkl cannot be read ({e.Message})", e);
            }
            return Collect(path, root, target);
        }
    }

    // ---- the archive -----------------------------------------------------------------------------

    private static void CheckSignature(string path, FileStream file)
    {
        Span<byte> head = stackalloc byte[4];
        int read = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        file.Position = 0;
        if (read == 4 && head[0] == 'P' && head[1] == 'K' && (head[2], head[3]) is (3, 4) or (5, 6)) return;
        if (read >= 2 && head[0] == 0x80 && head[1] is >= 2 and <= 5)
            throw new CheckpointFormatException(path,
                "this is a checkpoint in PyTorch's legacy (pre-1.6, non-zip) torch.save format, which is not supported; " +
                "re-save it with a recent PyTorch: torch.save(torch.load(f), g)");
        throw new CheckpointFormatException(path, "not a zip archive, so not a torch.save checkpoint (PyTorch 1.6 and later write zip archives)");
    }

    /// <summary>The archive's top folder, found from its single &lt;folder&gt;/data.pkl entry.</summary>
    private static string FindArchive(string path, ZipArchive zip)
    {
        var candidates = new List<string>();
        foreach (ZipArchiveEntry entry in zip.Entries)
        {
            string name = entry.FullName;
            if (name.Length == 0 || name[0] == '/' || name.Contains('\\') || name.Contains('\0') || name.Contains(':') ||
                name.Split('/').Any(part => part == ".."))
                throw new CheckpointFormatException(path, $"the archive entry '{name}' has an unsafe path");
            int slash = name.IndexOf('/');
            if (slash > 0 && name[(slash + 1)..] == "data.pkl") candidates.Add(name[..slash]);
        }

        if (candidates.Count == 0)
            throw new CheckpointFormatException(path, "the zip archive has no '<archive>/data.pkl' entry, so it is not a torch.save checkpoint");
        if (candidates.Count > 1)
            throw new CheckpointFormatException(path, $"the zip archive holds several checkpoints ({string.Join(", ", candidates)})");
        string prefix = candidates[0];
        if (prefix == ".")
            throw new CheckpointFormatException(path, "the archive entry './data.pkl' has an unsafe path");
        if (zip.GetEntry($"{prefix}/constants.pkl") is not null)
            throw new CheckpointFormatException(path,
                "this is a TorchScript archive (torch.jit.save), not a torch.save checkpoint; in Python, load it and torch.save its state_dict()");
        return prefix;
    }

    private static void CheckByteOrder(string path, ZipArchive zip, string prefix)
    {
        ZipArchiveEntry? entry = zip.GetEntry($"{prefix}/byteorder");
        if (entry is null) return; // older writers omit it: they only ever wrote little-endian
        if (entry.Length > 16) throw new CheckpointFormatException(path, $"{prefix}/byteorder is {entry.Length} bytes long");
        using var reader = new StreamReader(entry.Open(), Encoding.ASCII);
        string order = reader.ReadToEnd().Trim();
        if (order != "little")
            throw new CheckpointFormatException(path, $"the checkpoint's data is '{order}'-endian; only little-endian checkpoints are supported");
    }

    // ---- the pickle ------------------------------------------------------------------------------

    private static PickleGlobals CreateGlobals()
    {
        PickleGlobals globals = PickleGlobals.CreateDefault()
            .Register("torch._utils", "_rebuild_tensor_v2", RebuildTensor)
            .Register("torch._utils", "_rebuild_parameter", RebuildParameter)
            .Register("torch._utils", "_rebuild_parameter_with_state", RebuildParameter);
        foreach (var (name, type) in StorageTypes) globals.Register("torch", name, call: null, tag: type);
        return globals;
    }

    private static readonly (string Name, ScalarType Type)[] StorageTypes =
    [
        ("FloatStorage", ScalarType.Float32), ("DoubleStorage", ScalarType.Float64), ("HalfStorage", ScalarType.Float16),
        ("BFloat16Storage", ScalarType.BFloat16), ("LongStorage", ScalarType.Int64), ("IntStorage", ScalarType.Int32),
        ("ShortStorage", ScalarType.Int16), ("CharStorage", ScalarType.Int8), ("ByteStorage", ScalarType.UInt8),
        ("BoolStorage", ScalarType.Bool),
    ];

    /// <summary>_rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]).</summary>
    private static object RebuildTensor(object?[] args)
    {
        if (args.Length is < 6 or > 7)
            throw new InvalidDataException($"_rebuild_tensor_v2 expects 6 or 7 arguments, got {args.Length}");
        if (args[0] is not Storage storage)
            throw new InvalidDataException($"_rebuild_tensor_v2 expects a storage, got a {PickleReader.TypeName(args[0])}");
        return storage.View(ToLong(args[1], "storage_offset"), ToLongs(args[2], "size"), ToLongs(args[3], "stride"));
    }

    /// <summary>_rebuild_parameter(data, requires_grad, backward_hooks[, state]): a Parameter is imported as its data.</summary>
    private static object RebuildParameter(object?[] args) =>
        args.Length >= 3 && args[0] is Tensor data
            ? data
            : throw new InvalidDataException("_rebuild_parameter expects (tensor, requires_grad, backward_hooks)");

    private static long ToLong(object? value, string what) =>
        value as long? ?? throw new InvalidDataException($"the tensor's {what} is a {PickleReader.TypeName(value)}, not an int");

    private static long[] ToLongs(object? value, string what) =>
        value is object?[] items
            ? items.Select(item => ToLong(item, what)).ToArray()
            : throw new InvalidDataException($"the tensor's {what} is a {PickleReader.TypeName(value)}, not a tuple");

    // ---- storages --------------------------------------------------------------------------------

    /// <summary>One storage of the archive: a flat CPU tensor of its elements.</summary>
    private sealed class Storage(string key, Tensor data)
    {
        private const int MaxDims = 64;

        public ScalarType Type => data.DType;

        /// <summary>The saved tensor: a compact copy of the strided view, unless it is the whole storage already.</summary>
        public Tensor View(long offset, long[] size, long[] stride)
        {
            long available = data.NumEl;
            if (size.Length != stride.Length || size.Length > MaxDims)
                throw new InvalidDataException($"a tensor on storage '{key}' has {size.Length} sizes and {stride.Length} strides");
            if (offset < 0 || size.Any(s => s < 0) || stride.Any(s => s < 0))
                throw new InvalidDataException(
                    $"a tensor on storage '{key}' has a negative offset, size or stride ({Describe(offset, size, stride)})");
            long count = 1, last = offset;
            foreach (long s in size) count = checked(count * s);
            for (int i = 0; i < size.Length; i++)
                if (size[i] > 0) last = checked(last + (size[i] - 1) * stride[i]);
            if (count > 0 ? last >= available : offset > available)
                throw new InvalidDataException(
                    $"a tensor ({Describe(offset, size, stride)}) reaches past the {available} elements of storage '{key}'");

            Tensor view = data.AsStrided(size, stride, offset);
            if (!view.IsContiguous) return view.Contiguous();
            return count == available ? view : view.Clone();
        }

        private static string Describe(long offset, long[] size, long[] stride) =>
            $"offset {offset}, size [{string.Join(", ", size)}], stride [{string.Join(", ", stride)}]";
    }

    /// <summary>Resolves the pickle's persistent ids ('storage', type, key, location, numel) to loaded storages.</summary>
    private sealed class StorageReader(string path, ZipArchive zip, string prefix) : IDisposable
    {
        private readonly Dictionary<string, Storage> _loaded = new(StringComparer.Ordinal);
        private readonly NativeBuffer _buffer = new();

        public object Load(object? id)
        {
            if (id is not object?[] { Length: 5 } pid || pid[0] is not "storage")
                throw new InvalidDataException($"unknown persistent id (a {PickleReader.TypeName(id)}); only ('storage', ...) tuples are supported");
            if (pid[1] is not PickleGlobal { Tag: ScalarType type })
                throw new InvalidDataException($"unsupported storage type {PickleReader.TypeName(pid[1])}");
            if (pid[2] is not string key || !IsSafeKey(key))
                throw new InvalidDataException($"storage key {pid[2]} is not a plain name");
            if (pid[4] is not long numel || numel < 0)
                throw new InvalidDataException($"storage '{key}' has an invalid element count {pid[4]}");

            if (_loaded.TryGetValue(key, out Storage? known))
                return known.Type == type
                    ? known
                    : throw new InvalidDataException($"storage '{key}' is used both as {known.Type} and as {type}");

            string name = $"{prefix}/data/{key}";
            ZipArchiveEntry entry = zip.GetEntry(name)
                ?? throw new CheckpointFormatException(path, $"storage '{key}' is missing from the archive (no entry '{name}')");
            long bytes = checked(numel * type.ElementSize());
            if (entry.Length < bytes)
                throw new CheckpointFormatException(path,
                    $"storage '{key}' holds {entry.Length} bytes but its {numel} {type} elements need {bytes}: the archive is truncated or corrupt");
            using (Stream stream = entry.Open())
                if (!_buffer.TryFill(stream, bytes))
                    throw new CheckpointFormatException(path, $"storage '{key}' is truncated");

            var storage = new Storage(key, _buffer.ToTensor(type, [numel], Device.Cpu));
            _loaded.Add(key, storage);
            return storage;
        }

        private static bool IsSafeKey(string key) =>
            key.Length is > 0 and <= 128 && key != "." && key != ".." &&
            key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.');

        public void Dispose() => _buffer.Dispose();
    }

    // ---- the result ------------------------------------------------------------------------------

    private static TensorDictionary Collect(string path, object? root, Device target)
    {
        if (root is not PickleDict dict)
            throw new CheckpointFormatException(path, $"the checkpoint holds a {PickleReader.TypeName(root)}, not a dict of tensors (a state_dict)");
        if (dict.TryGet<PickleDict>("state_dict", out var stateDict)) dict = stateDict;

        var result = new TensorDictionary();
        try
        {
            var placed = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
            var visiting = new HashSet<object>(ReferenceEqualityComparer.Instance);
            Flatten(path, dict, "", result, placed, visiting, target);
        }
        catch
        {
            result.Dispose();
            throw;
        }
        return result;
    }

    private static void Flatten(string path, object? value, string name, TensorDictionary result, HashSet<Tensor> placed,
        HashSet<object> visiting, Device target)
    {
        switch (value)
        {
            case Tensor tensor:
                if (result.ContainsKey(name))
                    throw new CheckpointFormatException(path, $"two entries of the checkpoint are both named '{name}' once flattened");
                // A tensor reachable twice (tied weights) gets a second handle, so each entry can be disposed on its own.
                result.Add(name, target == Device.Cpu && placed.Add(tensor) ? tensor : tensor.To(target));
                break;
            case PickleDict dict when visiting.Add(dict):
                foreach (var (key, item) in dict)
                {
                    string? part = key switch { string s => s, long l => l.ToString(CultureInfo.InvariantCulture), _ => null };
                    if (part is not null) Flatten(path, item, Join(name, part), result, placed, visiting, target);
                }
                visiting.Remove(dict);
                break;
            case List<object?> list when visiting.Add(list):
                for (int i = 0; i < list.Count; i++) Flatten(path, list[i], Join(name, i.ToString(CultureInfo.InvariantCulture)), result, placed, visiting, target);
                visiting.Remove(list);
                break;
            case object?[] tuple when visiting.Add(tuple):
                for (int i = 0; i < tuple.Length; i++) Flatten(path, tuple[i], Join(name, i.ToString(CultureInfo.InvariantCulture)), result, placed, visiting, target);
                visiting.Remove(tuple);
                break;
        }
    }

    private static string Join(string prefix, string key) => prefix.Length == 0 ? key : $"{prefix}.{key}";
}
