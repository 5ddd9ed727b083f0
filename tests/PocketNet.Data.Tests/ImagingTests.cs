using PocketNet.Data.Imaging;
using PocketNet.Data.Imaging.Native;

namespace PocketNet.Data.Tests;

public class ImagingTests
{
    [Theory]
    [InlineData(3)]
    [InlineData(1)]
    public void PngRoundTripIsExact(int channels)
    {
        Image image = TestImages.Noise(37, 23, channels, seed: channels);
        byte[] png = ImageEncoder.EncodePng(image);
        Assert.Equal(ImageFormat.Png, ImageDecoder.DetectFormat(png));
        Assert.Equal(new ImageInfo(37, 23, channels, ImageFormat.Png), ImageDecoder.Identify(png, "mem.png"));

        Image decoded = ImageDecoder.Decode(png, "mem.png");
        Assert.Equal((37, 23, channels), (decoded.Width, decoded.Height, decoded.Channels));
        Assert.Equal(image.Pixels, decoded.Pixels);
    }

    [Fact]
    public void JpegRoundTripStaysClose()
    {
        Image image = TestImages.Smooth(112, 112, 3, seed: 5);
        byte[] jpeg = ImageEncoder.EncodeJpeg(image, quality: 100, JpegSubsampling.Yuv444);
        Assert.Equal(ImageFormat.Jpeg, ImageDecoder.DetectFormat(jpeg));
        Image decoded = ImageDecoder.Decode(jpeg, "mem.jpg");
        Assert.Equal((112, 112, 3), (decoded.Width, decoded.Height, decoded.Channels));
        Assert.True(TestImages.MaxAbsDifference(image.Pixels, decoded.Pixels) <= 4);

        // Lower quality and 4:2:0 still decode to the same size, roughly the same picture.
        Image rough = ImageDecoder.Decode(ImageEncoder.EncodeJpeg(image, quality: 75), "mem.jpg");
        double mean = image.Pixels.Zip(rough.Pixels, (a, b) => Math.Abs(a - b)).Average();
        Assert.True(mean < 3, $"mean error {mean}");
    }

    [Fact]
    public void GrayJpegAndPngExpandToRgbOnRequest()
    {
        Image gray = TestImages.Smooth(40, 30, 1, seed: 2);
        foreach (byte[] bytes in new[] { ImageEncoder.EncodeJpeg(gray, 100), ImageEncoder.EncodePng(gray) })
        {
            Assert.Equal(1, ImageDecoder.Identify(bytes, "gray").Channels);
            Image native = ImageDecoder.Decode(bytes, "gray");
            Assert.Equal(1, native.Channels);
            Image rgb = ImageDecoder.Decode(bytes, "gray", expandToRgb: true);
            Assert.Equal(3, rgb.Channels);
            for (int i = 0; i < native.Pixels.Length; i++)
            {
                Assert.Equal(native.Pixels[i], rgb.Pixels[3 * i]);
                Assert.Equal(native.Pixels[i], rgb.Pixels[3 * i + 1]);
                Assert.Equal(native.Pixels[i], rgb.Pixels[3 * i + 2]);
            }
            Assert.Equal(native.ToRgb().Pixels, rgb.Pixels);
        }
    }

    [Fact]
    public void DecodeIntoFillsCallerBuffer()
    {
        Image image = TestImages.Noise(16, 8, 3, seed: 9);
        byte[] png = ImageEncoder.EncodePng(image);
        var buffer = new byte[16 * 8 * 3 + 10];
        ImageInfo info = ImageDecoder.DecodeInto(png, "mem.png", buffer, 3);
        Assert.Equal(new ImageInfo(16, 8, 3, ImageFormat.Png), info);
        Assert.Equal(image.Pixels, buffer[..(16 * 8 * 3)]);
        Assert.Throws<ArgumentException>(() => ImageDecoder.DecodeInto(png, "mem.png", new byte[10], 3));
    }

    [Fact]
    public void ModelInputIsNormalisedChannelFirstRgb()
    {
        var image = new Image(2, 1, 3, [0, 128, 255, 10, 20, 30]);
        float[] chw = image.ToModelInput();
        float N(int v) => (v / 255f - 0.5f) / 0.5f;
        Assert.Equal(new[] { N(0), N(10), N(128), N(20), N(255), N(30) }, chw);
        Assert.Equal(-1f, chw[0]);
        Assert.Equal(1f, chw[4]);

        var gray = new Image(2, 1, 1, [0, 255]);
        Assert.Equal(new[] { -1f, 1f, -1f, 1f, -1f, 1f }, gray.ToModelInput());
    }

    [Fact]
    public void CorruptDataNamesTheSourceAndTheLibraryMessage()
    {
        Image image = TestImages.Smooth(64, 64, 3, seed: 1);
        byte[] jpeg = ImageEncoder.EncodeJpeg(image, 90);
        byte[] png = ImageEncoder.EncodePng(image);

        // JPEG magic followed by garbage: the header cannot be read.
        var garbage = new byte[200];
        new Random(1).NextBytes(garbage);
        garbage[0] = 0xFF; garbage[1] = 0xD8; garbage[2] = 0xFF;
        var e = Assert.Throws<InvalidDataException>(() => ImageDecoder.Decode(garbage, "faces/a.jpg"));
        Assert.Contains("faces/a.jpg", e.Message);
        Assert.Contains("JPEG", e.Message);

        // Truncated JPEG (cut inside the entropy-coded data): libjpeg only warns ("Premature end of JPEG
        // file") and fills the rest with gray; we refuse the partial image.
        byte[] large = ImageEncoder.EncodeJpeg(TestImages.Smooth(112, 112, 3, seed: 2), 90);
        e = Assert.Throws<InvalidDataException>(() => ImageDecoder.Decode(large.AsSpan(0, large.Length * 3 / 4), "cut.jpg"));
        Assert.Contains("cut.jpg", e.Message);
        Assert.Contains("Premature end", e.Message);

        // Truncated PNG.
        e = Assert.Throws<InvalidDataException>(() => ImageDecoder.Decode(png.AsSpan(0, png.Length / 2), "cut.png"));
        Assert.Contains("cut.png", e.Message);
        Assert.Contains("PNG", e.Message);

        // PNG with a damaged IDAT (CRC mismatch).
        byte[] damaged = (byte[])png.Clone();
        damaged[png.Length / 2] ^= 0x55;
        e = Assert.Throws<InvalidDataException>(() => ImageDecoder.Decode(damaged, "bad.png"));
        Assert.Contains("bad.png", e.Message);

        // Neither format.
        e = Assert.Throws<InvalidDataException>(() => ImageDecoder.Decode("GIF89a..."u8, "x.gif"));
        Assert.Contains("x.gif", e.Message);
        Assert.Contains("not a JPEG or PNG", e.Message);
        Assert.Throws<InvalidDataException>(() => ImageDecoder.Identify([], "empty"));
    }

    [Fact]
    public void AFailedDecodeDoesNotSpoilTheNextOneOnTheSameThread()
    {
        // TurboJPEG 2.x leaves an instance mid-header after a failed tjDecompressHeader3; the decoder must recover.
        Image image = TestImages.Smooth(48, 48, 3, seed: 8);
        byte[] jpeg = ImageEncoder.EncodeJpeg(image, 95);
        byte[] expected = ImageDecoder.Decode(jpeg, "good").Pixels;
        var broken = new byte[200];
        new Random(1).NextBytes(broken);
        broken[0] = 0xFF; broken[1] = 0xD8; broken[2] = 0xFF;
        for (int i = 0; i < 3; i++)
        {
            Assert.Throws<InvalidDataException>(() => ImageDecoder.Decode(broken, "broken"));
            Assert.Equal(expected, ImageDecoder.Decode(jpeg, "good").Pixels);
        }
    }

    [Fact]
    public void BenignJpegWarningsAreTolerated()
    {
        // Stray bytes before the EOI marker only make libjpeg warn ("extraneous bytes"); pixels are intact.
        Image image = TestImages.Smooth(32, 32, 3, seed: 4);
        byte[] jpeg = ImageEncoder.EncodeJpeg(image, 95);
        byte[] padded = [.. jpeg.AsSpan(0, jpeg.Length - 2), 0x00, 0x00, 0x00, 0xFF, 0xD9];
        Assert.Equal(ImageDecoder.Decode(jpeg, "a").Pixels, ImageDecoder.Decode(padded, "b").Pixels);
    }

    [Fact]
    public void ConcurrentDecodingIsConsistent()
    {
        byte[][] encoded = Enumerable.Range(0, 8)
            .Select(i => i % 2 == 0 ? ImageEncoder.EncodeJpeg(TestImages.Smooth(112, 112, 3, i), 90) : ImageEncoder.EncodePng(TestImages.Noise(112, 112, 3, i)))
            .ToArray();
        byte[][] expected = encoded.Select(b => ImageDecoder.Decode(b, "x").Pixels).ToArray();
        Parallel.For(0, 400, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
            Assert.Equal(expected[i % 8], ImageDecoder.Decode(encoded[i % 8], "x").Pixels));
    }

    [Fact]
    public void SaveChoosesTheFormatByExtension()
    {
        using var temp = new TempDirectory();
        Image image = TestImages.Noise(8, 8, 3, 3);
        string png = Path.Combine(temp.Path, "a.PNG"), jpg = Path.Combine(temp.Path, "a.jpeg");
        ImageEncoder.Save(image, png);
        ImageEncoder.Save(image, jpg);
        Assert.Equal(ImageFormat.Png, ImageDecoder.DetectFormat(File.ReadAllBytes(png)));
        Assert.Equal(ImageFormat.Jpeg, ImageDecoder.DetectFormat(File.ReadAllBytes(jpg)));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageEncoder.Save(image, Path.Combine(temp.Path, "a.bmp")));
    }

    [Fact]
    public void MissingNativeLibraryNamesThePackage()
    {
        var e = Assert.Throws<DllNotFoundException>(() => NativeCodecLibraries.Load(["libpocketnet-missing.so.42"], "the Debian package libmissing0"));
        Assert.Contains("libpocketnet-missing.so.42", e.Message);
        Assert.Contains("libmissing0", e.Message);
        Assert.Contains("libturbojpeg0", NativeCodecLibraries.Describe(NativeCodecLibraries.TurboJpeg).Package);
        Assert.Contains("libpng16-16", NativeCodecLibraries.Describe(NativeCodecLibraries.Png).Package);
    }

    [Fact]
    public void AgreesWithPillowWhenInstalled()
    {
        if (PythonRunner.Run("pil_codec.py", "probe").Trim() != "PIL") return; // python3-pil is optional here
        using var temp = new TempDirectory();

        // Our JPEG, decoded by PIL (libjpeg-turbo too, same default DCT and upsampling): identical pixels.
        Image image = TestImages.Smooth(112, 112, 3, seed: 11);
        string ours = Path.Combine(temp.Path, "ours.jpg");
        ImageEncoder.Save(image, ours, jpegQuality: 90);
        PythonRunner.Run("pil_codec.py", "decode", ours, Path.Combine(temp.Path, "ours.raw"));
        Assert.Equal(File.ReadAllBytes(Path.Combine(temp.Path, "ours.raw")), ImageDecoder.Decode(File.ReadAllBytes(ours), ours).Pixels);

        // PIL's JPEG, decoded by us.
        string raw = Path.Combine(temp.Path, "src.raw"), theirs = Path.Combine(temp.Path, "theirs.jpg");
        File.WriteAllBytes(raw, TestImages.Smooth(96, 80, 3, seed: 12).Pixels);
        PythonRunner.Run("pil_codec.py", "encode", raw, "96", "80", "3", "85", theirs);
        PythonRunner.Run("pil_codec.py", "decode", theirs, Path.Combine(temp.Path, "theirs.raw"));
        Image decoded = ImageDecoder.Decode(File.ReadAllBytes(theirs), theirs);
        Assert.Equal((96, 80), (decoded.Width, decoded.Height));
        Assert.Equal(File.ReadAllBytes(Path.Combine(temp.Path, "theirs.raw")), decoded.Pixels);
    }
}
