using System.IO.Compression;
using System.Text;
using System.Text.Json;
using PocketNet.Torch.Serialization;

namespace PocketNet.Torch.Tests.Serialization;

public class TorchCheckpointTests
{
    [Fact]
    public void ImportsAStateDictSavedByPyTorch()
    {
        string path = PythonFiles.ModelPth;
        using JsonDocument reference = JsonDocument.Parse(File.ReadAllText(path + ".json"));
        using TensorDictionary loaded = TorchCheckpoint.Load(path);

        JsonElement expected = reference.RootElement;
        Assert.Equal(expected.EnumerateObject().Select(p => p.Name), loaded.Keys);
        foreach (JsonProperty entry in expected.EnumerateObject())
        {
            Tensor tensor = loaded[entry.Name];
            SafeTensorsTests.AssertMatchesJson(tensor, entry.Value, entry.Name);
            Assert.True(tensor.IsContiguous, $"{entry.Name} is not contiguous");
            Assert.False(tensor.RequiresGrad);
            Assert.Null(tensor.Scope);
        }
    }

    [Fact]
    public void ViewsWithAStorageOffsetGetTheirOwnValues()
    {
        using TensorDictionary loaded = TorchCheckpoint.Load(PythonFiles.ModelPth);
        // base = arange(24).reshape(4, 6) / 7; row_view = base[2]; strided_view = base[1:, 1::2]
        float[] expectedRow = Enumerable.Range(12, 6).Select(i => i / 7f).ToArray();
        Assert.Equal(expectedRow, loaded["extra.row_view"].ToArray<float>());
        float[] expectedStrided = [7 / 7f, 9 / 7f, 11 / 7f, 13 / 7f, 15 / 7f, 17 / 7f, 19 / 7f, 21 / 7f, 23 / 7f];
        Assert.Equal(expectedStrided, loaded["extra.strided_view"].ToArray<float>());
    }

    [Fact]
    public void ATrainingCheckpointYieldsItsStateDict()
    {
        using JsonDocument reference = JsonDocument.Parse(File.ReadAllText(PythonFiles.ModelPth + ".json"));
        using TensorDictionary loaded = TorchCheckpoint.Load(PythonFiles.TrainingCheckpointPth);
        Assert.Equal(reference.RootElement.EnumerateObject().Select(p => p.Name), loaded.Keys);
        SafeTensorsTests.AssertMatchesJson(loaded["0.weight"], reference.RootElement.GetProperty("0.weight"), "0.weight");
    }

    [Fact]
    public void ImportsOntoTheRequestedDevice()
    {
        using TensorDictionary cpu = TorchCheckpoint.Load(PythonFiles.ModelPth);
        using TensorDictionary loaded = TorchCheckpoint.Load(PythonFiles.ModelPth, Device.Default);
        Assert.All(loaded.Values, t => Assert.Equal(Device.Default, t.Device));
        Assert.Equal(cpu["4.weight"].ToArray<float>(), loaded["4.weight"].ToArray<float>());
    }

    [Fact]
    public void ImportedWeightsLoadIntoAModule()
    {
        using var scope = DisposeScope.Enter();
        using TensorDictionary loaded = TorchCheckpoint.Load(PythonFiles.ModelPth);
        using var linear = new PocketNet.Torch.NN.Linear(100, 6);
        var state = new Dictionary<string, Tensor> { ["weight"] = loaded["4.weight"], ["bias"] = loaded["4.bias"] };
        linear.LoadStateDict(state);
        Assert.Equal(loaded["4.bias"].ToArray<float>(), linear.StateDict().Single(kv => kv.Key == "bias").Value.ToArray<float>());
    }

    [Fact]
    public void TheLegacyFormatIsRefusedWithAnExplanation()
    {
        string path = PythonFiles.LegacyPth;
        var error = Assert.Throws<CheckpointFormatException>(() => TorchCheckpoint.Load(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("legacy", error.Message);
    }

    [Fact]
    public void AFileThatIsNotAZipIsRefused()
    {
        using var dir = new ScratchDirectory();
        string path = dir.File("notes.pth");
        File.WriteAllText(path, "just some text");
        var error = Assert.Throws<CheckpointFormatException>(() => TorchCheckpoint.Load(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("not a zip archive", error.Message);
    }

    [Fact]
    public void AZipWithoutDataPklIsRefused() =>
        AssertRejected(new() { ["archive/readme.txt"] = "hello"u8.ToArray() }, "no '<archive>/data.pkl' entry");

    [Fact]
    public void ATorchScriptArchiveIsRefused() =>
        AssertRejected(new() { ["m/data.pkl"] = [0x80, 2, (byte)'N', (byte)'.'], ["m/constants.pkl"] = [0x80, 2, (byte)')', (byte)'.'] },
            "TorchScript");

    [Fact]
    public void AnEntryWithAnUnsafePathIsRefused() =>
        AssertRejected(new() { ["archive/data.pkl"] = StateDictPickle(4, [4], [1]), ["archive/data/../../x"] = new byte[16] },
            "unsafe path");

    [Fact]
    public void ACheckpointThatCallsOsSystemIsRefused()
    {
        byte[] evil = [0x80, 2, .. "cos\nsystem\n"u8, (byte)'X', 7, 0, 0, 0, .. "echo hi"u8, 0x85, (byte)'R', (byte)'.'];
        CheckpointFormatException error = AssertRejected(new() { ["archive/data.pkl"] = evil }, "'os.system'");
        Assert.Contains("allow-list", error.Message);
    }

    [Fact]
    public void AHandWrittenCheckpointImports()
    {
        using var dir = new ScratchDirectory();
        string path = dir.File("hand.pth");
        float[] storage = [0, 1, 2, 3, 4, 5];
        // A 2x2 view at offset 1 with strides (1, 2): [[1, 3], [2, 4]].
        WriteZip(path, new()
        {
            ["hand/data.pkl"] = StateDictPickle(6, [2, 2], [1, 2], offset: 1),
            ["hand/data/0"] = storage.SelectMany(BitConverter.GetBytes).ToArray(),
            ["hand/version"] = "3\n"u8.ToArray(),
            ["hand/byteorder"] = "little"u8.ToArray(),
        });
        using TensorDictionary loaded = TorchCheckpoint.Load(path);
        Assert.Equal(new long[] { 2, 2 }, loaded["w"].Shape);
        Assert.Equal(new float[] { 1, 3, 2, 4 }, loaded["w"].ToArray<float>());
    }

    [Fact]
    public void AViewReachingPastItsStorageIsRefused() =>
        AssertRejected(new() { ["a/data.pkl"] = StateDictPickle(4, [10], [1]), ["a/data/0"] = new byte[16] }, "reaches past");

    [Fact]
    public void ATruncatedStorageIsRefused() =>
        AssertRejected(new() { ["a/data.pkl"] = StateDictPickle(4, [4], [1]), ["a/data/0"] = new byte[10] }, "storage '0' holds 10 bytes");

    [Fact]
    public void AMissingStorageIsRefused() =>
        AssertRejected(new() { ["a/data.pkl"] = StateDictPickle(4, [4], [1]) }, "missing from the archive");

    [Fact]
    public void BigEndianDataIsRefused() =>
        AssertRejected(new()
        {
            ["a/data.pkl"] = StateDictPickle(1, [1], [1]), ["a/data/0"] = new byte[4], ["a/byteorder"] = "big"u8.ToArray(),
        }, "'big'-endian");

    [Fact]
    public void ARootThatIsNotADictIsRefused() =>
        AssertRejected(new() { ["a/data.pkl"] = [0x80, 2, (byte)']', (byte)'.'] }, "holds a list");

    // ---- helpers ---------------------------------------------------------------------------------

    private static CheckpointFormatException AssertRejected(Dictionary<string, byte[]> entries, string expected)
    {
        using var dir = new ScratchDirectory();
        string path = dir.File("bad.pth");
        WriteZip(path, entries);
        var error = Assert.Throws<CheckpointFormatException>(() => TorchCheckpoint.Load(path));
        Assert.Contains(path, error.Message);
        Assert.Contains(expected, error.Message);
        return error;
    }

    private static void WriteZip(string path, Dictionary<string, byte[]> entries)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (name, bytes) in entries)
        {
            using Stream stream = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
            stream.Write(bytes);
        }
    }

    /// <summary>
    /// The pickle torch.save writes for {"w": tensor} where the tensor is a float32 view (size, stride,
    /// offset) of storage "0" holding <paramref name="storageNumel"/> elements.
    /// </summary>
    private static byte[] StateDictPickle(int storageNumel, long[] size, long[] stride, int offset = 0)
    {
        var p = new List<byte> { 0x80, 2, (byte)'}' };
        Unicode(p, "w");
        Global(p, "torch._utils", "_rebuild_tensor_v2");
        p.Add((byte)'(');
        p.Add((byte)'(');
        Unicode(p, "storage");
        Global(p, "torch", "FloatStorage");
        Unicode(p, "0");
        Unicode(p, "cpu");
        Int(p, storageNumel);
        p.Add((byte)'t');
        p.Add((byte)'Q');
        Int(p, offset);
        Ints(p, size);
        Ints(p, stride);
        p.Add(0x89);
        Global(p, "collections", "OrderedDict");
        p.Add((byte)')');
        p.Add((byte)'R');
        p.Add((byte)'t');
        p.Add((byte)'R');
        p.Add((byte)'s');
        p.Add((byte)'.');
        return p.ToArray();

        static void Unicode(List<byte> p, string s)
        {
            byte[] utf8 = Encoding.UTF8.GetBytes(s);
            p.Add((byte)'X');
            p.AddRange(BitConverter.GetBytes(utf8.Length));
            p.AddRange(utf8);
        }

        static void Global(List<byte> p, string module, string name) => p.AddRange(Encoding.ASCII.GetBytes($"c{module}\n{name}\n"));

        static void Int(List<byte> p, long value)
        {
            p.Add((byte)'J');
            p.AddRange(BitConverter.GetBytes((int)value));
        }

        static void Ints(List<byte> p, long[] values)
        {
            p.Add((byte)'(');
            foreach (long v in values) Int(p, v);
            p.Add((byte)'t');
        }
    }
}
