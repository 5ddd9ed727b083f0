using PocketNet.Data.Imaging;

namespace PocketNet.Data.Alignment;

/// <summary>Resampling an image through a similarity transform.</summary>
public static class ImageWarp
{
    /// <summary>
    /// The image seen through <paramref name="sourceToDestination"/>: each output pixel (x, y) takes the
    /// bilinear sample of the source at the inverse-mapped point, neighbours outside the source counting as 0
    /// (a constant black border, as cv2.warpAffine's default). Output keeps the source's channel count.
    /// </summary>
    public static Image Warp(Image source, SimilarityTransform sourceToDestination, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(source);
        var output = new Image(width, height, source.Channels);
        SimilarityTransform inverse = sourceToDestination.Inverse();
        int channels = source.Channels, sw = source.Width, sh = source.Height, stride = source.RowStride;
        byte[] src = source.Pixels, dst = output.Pixels;
        Span<float> sample = stackalloc float[3];

        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                var (u, v) = inverse.Apply(x, y);
                int o = (y * width + x) * channels;
                // Points further than one pixel outside have no neighbour inside: leave black.
                if (!(u > -1 && v > -1 && u < sw && v < sh)) continue;

                int x0 = (int)Math.Floor(u), y0 = (int)Math.Floor(v);
                float fx = (float)(u - x0), fy = (float)(v - y0);
                float w00 = (1 - fx) * (1 - fy), w01 = fx * (1 - fy), w10 = (1 - fx) * fy, w11 = fx * fy;
                sample.Clear();
                Accumulate(src, stride, channels, sw, sh, x0, y0, w00, sample);
                Accumulate(src, stride, channels, sw, sh, x0 + 1, y0, w01, sample);
                Accumulate(src, stride, channels, sw, sh, x0, y0 + 1, w10, sample);
                Accumulate(src, stride, channels, sw, sh, x0 + 1, y0 + 1, w11, sample);
                for (int c = 0; c < channels; c++)
                    dst[o + c] = (byte)Math.Clamp((int)MathF.Round(sample[c]), 0, 255);
            }
        }
        return output;
    }

    private static void Accumulate(byte[] src, int stride, int channels, int width, int height, int x, int y, float weight, Span<float> sample)
    {
        if ((uint)x >= (uint)width || (uint)y >= (uint)height || weight == 0) return;
        int i = y * stride + x * channels;
        for (int c = 0; c < channels; c++) sample[c] += weight * src[i + c];
    }
}
