using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.EdgeFace;

/// <summary>
/// The positional encoding of stage 1's SDTA encoder (timm's PositionalEncodingFourier): each pixel's row and
/// column, scaled to (0, 2π], through 16 sine/cosine pairs of geometric wavelengths (temperature 10000), give 64
/// fixed features; a 1×1 convolution (token_projection) maps them to the stage's channels.
/// </summary>
public sealed class FourierPositionalEncoding : Module
{
    public const int HiddenSize = 32;
    private const float Temperature = 10000f;
    private const float Eps = 1e-6f;

    private readonly Conv2d _tokenProjection;

    public FourierPositionalEncoding(long channels)
    {
        _tokenProjection = RegisterModule("token_projection", new Conv2d(2 * HiddenSize, channels, 1));
    }

    /// <summary>The encoding [batch, channels, height, width].</summary>
    public Tensor Forward(long batch, int height, int width)
    {
        using var scope = DisposeScope.Enter();
        Tensor weight = _tokenProjection.Weight; // the features follow its type and device (float64 in gradient checks)
        Tensor features = Tensors.FromArray(Features(height, width), 1, 2 * HiddenSize, height, width).To(weight.DType, weight.Device);
        return _tokenProjection.Forward(features).Expand(batch, -1, -1, -1).MoveToOuterScope();
    }

    /// <summary>
    /// The 64 fixed features per pixel, channels-first: 32 for the row, then 32 for the column; within each, channel
    /// c is sin (c even) or cos (c odd) of position / 10000^(2⌊c/2⌋/32). Float arithmetic, as the reference computes it.
    /// </summary>
    public static float[] Features(int height, int width)
    {
        var frequencies = new float[HiddenSize];
        for (int c = 0; c < HiddenSize; c++) frequencies[c] = MathF.Pow(Temperature, 2 * (c / 2) / (float)HiddenSize);
        var features = new float[2 * HiddenSize * height * width];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                float row = (y + 1) / (height + Eps) * (2 * MathF.PI);
                float column = (x + 1) / (width + Eps) * (2 * MathF.PI);
                for (int c = 0; c < HiddenSize; c++)
                {
                    features[(c * height + y) * width + x] = Wave(row / frequencies[c], c);
                    features[((HiddenSize + c) * height + y) * width + x] = Wave(column / frequencies[c], c);
                }
            }
        return features;
    }

    private static float Wave(float phase, int channel) => channel % 2 == 0 ? MathF.Sin(phase) : MathF.Cos(phase);
}
