using System.Numerics;
using System.Text;
using PocketNet.Torch.Serialization;
using PocketNet.Torch.Serialization.Pickle;

namespace PocketNet.Torch.Tests.Serialization;

public class PickleReaderTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void ReadsPythonValuesAtEveryProtocol(int protocol)
    {
        var root = Assert.IsType<PickleDict>(PickleReader.Load(PythonFiles.Pickle($"data_p{protocol}.pkl")));

        Assert.Equal(
            new object[]
            {
                0L, 1L, -1L, 255L, 256L, 65535L, 65536L, (long)int.MinValue, (long)int.MaxValue, 1L << 40, long.MinValue,
                BigInteger.Pow(2, 70), -BigInteger.Pow(2, 70),
            },
            Assert.IsType<List<object?>>(root["ints"]));
        Assert.Equal(new object[] { 0.0, 1.5, -2.25e-300, double.PositiveInfinity }, Assert.IsType<List<object?>>(root["floats"]));
        Assert.Equal("h\u00e9llo \u4e16\u754c", root["text"]);
        Assert.Equal(new byte[] { 0, 1, 0xff, (byte)'a', (byte)'b', (byte)'c' }, root["bytes"]);
        Assert.Equal(Array.Empty<byte>(), root["empty_bytes"]);
        Assert.Equal(new object?[] { true, false, null }, root["flags"]);

        var tuples = Assert.IsType<List<object?>>(root["tuples"]);
        Assert.Equal(new[] { 0, 1, 2, 3, 4 }, tuples.Select(t => Assert.IsType<object?[]>(t).Length));
        Assert.Equal(new object[] { 1L, 2L, 3L, 4L }, (object?[])tuples[4]!);

        var nested = Assert.IsType<PickleDict>(root["nested"]);
        var a = Assert.IsType<PickleDict>(nested["a"]);
        var list = Assert.IsType<List<object?>>(a["b"]);
        Assert.Equal(1L, list[0]);
        Assert.Equal("int key", nested[7L]);
        Assert.Equal("tuple key", nested[new object[] { 1L, "x" }]);

        var ordered = Assert.IsType<PickleDict>(root["ordered"]);
        Assert.Equal(new object[] { "z", "a" }, ordered.Keys);

        // The same list pickled twice comes back as one object (memo).
        var shared = Assert.IsType<object?[]>(root["shared"]);
        Assert.Same(shared[0], shared[1]);

        Assert.Equal(new object[] { "ints", "floats", "text", "bytes", "empty_bytes", "flags", "tuples", "nested", "ordered", "shared" },
            root.Keys);
    }

    [Fact]
    public void ReadsAnInsightFaceStylePairOfLists()
    {
        var root = Assert.IsType<object?[]>(PickleReader.Load(PythonFiles.Pickle("insightface_p2.pkl")));
        var images = Assert.IsType<List<object?>>(root[0]);
        var issame = Assert.IsType<List<object?>>(root[1]);
        Assert.Equal(5, images.Count);
        for (int i = 0; i < images.Count; i++)
            Assert.Equal(Enumerable.Repeat((byte)i, 10 + i), Assert.IsType<byte[]>(images[i]));
        Assert.Equal(new object[] { true, false, true, false }, issame);
    }

    [Fact]
    public void ReadsPython2ByteStrings()
    {
        // Protocol 2 as Python 2 wrote it: (SHORT_BINSTRING 'ab', BINSTRING '\xff', BINUNICODE 'é') as a tuple.
        byte[] pickle =
        [
            0x80, 2, (byte)'U', 2, (byte)'a', (byte)'b', (byte)'T', 1, 0, 0, 0, 0xff,
            (byte)'X', 2, 0, 0, 0, 0xc3, 0xa9, 0x87, (byte)'.',
        ];
        var tuple = Assert.IsType<object?[]>(Read(pickle));
        Assert.Equal("ab"u8.ToArray(), tuple[0]);
        Assert.Equal(new byte[] { 0xff }, tuple[1]);
        Assert.Equal("é", tuple[2]);
    }

    [Theory]
    [InlineData("evil_p2.pkl")]
    [InlineData("evil_p4.pkl")]
    public void RefusesAPickleThatWouldRunCode(string file)
    {
        string path = PythonFiles.Pickle(file);
        var error = Assert.Throws<CheckpointFormatException>(() => PickleReader.Load(path));
        Assert.Contains(path, error.Message);
        // Python pickles os.system under its implementation module's name.
        Assert.Contains("'posix.system'", error.Message);
        Assert.Contains("allow-list", error.Message);
    }

    [Fact]
    public void RefusesOsSystemWrittenByHand()
    {
        // GLOBAL 'os system', ('echo hi',), REDUCE, STOP
        byte[] pickle = [0x80, 2, .. "cos\nsystem\n"u8, (byte)'X', 7, 0, 0, 0, .. "echo hi"u8, 0x85, (byte)'R', (byte)'.'];
        var error = Assert.Throws<CheckpointFormatException>(() => Read(pickle, "evil.pkl"));
        Assert.StartsWith("evil.pkl: ", error.Message);
        Assert.Contains("'os.system'", error.Message);
    }

    [Fact]
    public void AllowListedMarkersCannotBeCalled()
    {
        var globals = PickleGlobals.CreateDefault().Register("torch", "FloatStorage", call: null);
        byte[] pickle = [0x80, 2, .. "ctorch\nFloatStorage\n"u8, (byte)')', (byte)'R', (byte)'.'];
        var error = Assert.Throws<CheckpointFormatException>(() => new PickleReader(new MemoryStream(pickle), "m.pkl", globals).Load());
        Assert.Contains("may not be called", error.Message);
    }

    [Theory]
    [InlineData(new byte[] { 0x80, 2, (byte)']', (byte)'K' }, "truncated")]
    [InlineData(new byte[] { 0x80, 2, (byte)'N' }, "without a STOP")]
    [InlineData(new byte[] { 0x80, 2, 0xff, (byte)'.' }, "not a pickle opcode")]
    [InlineData(new byte[] { 0x80, 9, (byte)'N', (byte)'.' }, "protocol 9")]
    [InlineData(new byte[] { 0x80, 2, (byte)'h', 3, (byte)'.' }, "memo entry 3")]
    [InlineData(new byte[] { 0x80, 2, (byte)'a', (byte)'.' }, "empty stack")]
    [InlineData(new byte[] { 0x80, 2, (byte)'I', (byte)'1', (byte)'\n', (byte)'.' }, "INT is not supported")]
    [InlineData(new byte[] { 0x80, 2, (byte)'Q', (byte)'.' }, "empty stack")]
    [InlineData(new byte[] { 0x80, 2, (byte)'N', (byte)'Q', (byte)'.' }, "persistent id")]
    [InlineData(new byte[] { 0x80, 4, 0x8e, 0, 0, 0, 0, 0, 0, 0, 0x10, (byte)'.' }, "too large")]
    public void CorruptPicklesFailClearly(byte[] pickle, string expected)
    {
        var error = Assert.Throws<CheckpointFormatException>(() => Read(pickle, "corrupt.pkl"));
        Assert.StartsWith("corrupt.pkl: ", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void HugeDeclaredLengthOnAStreamOfUnknownSizeIsNotAllocatedUpFront()
    {
        // BINBYTES8 claiming 1 GiB on a non-seekable stream that holds 3 bytes.
        byte[] pickle = [0x80, 4, 0x8e, 0, 0, 0, 0x40, 0, 0, 0, 0, 1, 2, 3];
        var error = Assert.Throws<CheckpointFormatException>(() =>
            new PickleReader(new ForwardOnlyStream(pickle), "stream.pkl").Load());
        Assert.Contains("truncated", error.Message);
    }

    private static object? Read(byte[] pickle, string name = "test.pkl") => new PickleReader(new MemoryStream(pickle), name).Load();

    /// <summary>A stream that cannot seek or tell its length, like a network or decompression stream.</summary>
    private sealed class ForwardOnlyStream(byte[] data) : Stream
    {
        private readonly MemoryStream _inner = new(data);
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
