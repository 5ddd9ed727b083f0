namespace PocketNet.Data.Imaging;

/// <summary>Encoded image formats the datasets use.</summary>
public enum ImageFormat
{
    Unknown = 0,
    Jpeg,
    Png,
}

/// <summary>What an encoded image's header says: size, native channel count (1 gray, 3 colour) and format.</summary>
public readonly record struct ImageInfo(int Width, int Height, int Channels, ImageFormat Format);

/// <summary>Chroma subsampling of a written JPEG (the values are TurboJPEG's TJSAMP codes).</summary>
public enum JpegSubsampling
{
    Yuv444 = 0,
    Yuv422 = 1,
    Yuv420 = 2,
}
