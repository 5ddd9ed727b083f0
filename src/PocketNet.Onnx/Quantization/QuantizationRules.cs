using System.Numerics.Tensors;

namespace PocketNet.Onnx.Quantization;

/// <summary>A tensor's affine quantisation: real = (q - ZeroPoint) * Scale.</summary>
public readonly record struct AffineQuantization(float Scale, int ZeroPoint);

/// <summary>
/// The scale and zero-point rules of the int8 quantiser, as ONNX Runtime's QDQ kernels expect them.
/// Activations: uint8, asymmetric, the calibrated range widened to hold 0 (so zero padding and ReLU's zeros are
/// exact). Weights: int8, symmetric per output channel over [-127, 127] (zero point 0: the kernels subtract no
/// weight offset, and -128 is left out so that w and -w quantise alike). Biases: int32 at input scale times weight
/// scale with zero point 0, which is what the integer accumulator of a convolution holds. Rounding is half to even,
/// as QuantizeLinear rounds.
/// </summary>
public static class QuantizationRules
{
    public const int ActivationMin = 0, ActivationMax = 255;
    public const int WeightMax = 127;

    /// <summary>uint8 parameters for values calibrated in [min, max].</summary>
    public static AffineQuantization Activation(float min, float max)
    {
        if (!float.IsFinite(min) || !float.IsFinite(max) || min > max)
            throw new ArgumentException($"a calibrated range must be finite with min <= max, not [{min}, {max}]");
        float low = Math.Min(min, 0f), high = Math.Max(max, 0f);
        // A tensor that was zero on every calibration image: any positive scale represents it exactly.
        if (high == low) return new AffineQuantization(1f, 0);
        float scale = (high - low) / (ActivationMax - ActivationMin);
        int zeroPoint = (int)Math.Clamp(MathF.Round(ActivationMin - low / scale, MidpointRounding.ToEven), ActivationMin, ActivationMax);
        return new AffineQuantization(scale, zeroPoint);
    }

    /// <summary>
    /// Symmetric int8 scales, one per slice of <paramref name="weights"/> along <paramref name="axis"/> of
    /// <paramref name="dims"/> (axis 0 for a Conv's [out, in/g, kh, kw]). An all-zero channel gets scale 1.
    /// </summary>
    public static float[] WeightScales(ReadOnlySpan<float> weights, IReadOnlyList<long> dims, int axis)
    {
        var (outer, channels, inner) = Split(weights.Length, dims, axis);
        var absMax = new float[channels];
        for (int o = 0; o < outer; o++)
            for (int c = 0; c < channels; c++)
            {
                float magnitude = Math.Abs(TensorPrimitives.MaxMagnitude(weights.Slice((o * channels + c) * inner, inner)));
                if (!float.IsFinite(magnitude)) throw new ArgumentException("the weights are not all finite");
                absMax[c] = Math.Max(absMax[c], magnitude);
            }
        return absMax.Select(a => a > 0 ? a / WeightMax : 1f).ToArray();
    }

    /// <summary>q = clamp(round(w / scale[c]), -127, 127) along <paramref name="axis"/>.</summary>
    public static sbyte[] QuantizeWeights(ReadOnlySpan<float> weights, IReadOnlyList<long> dims, int axis, ReadOnlySpan<float> scales)
    {
        var (outer, channels, inner) = Split(weights.Length, dims, axis);
        if (scales.Length != channels) throw new ArgumentException($"{scales.Length} scales for {channels} channels");
        var quantized = new sbyte[weights.Length];
        for (int o = 0; o < outer; o++)
            for (int c = 0; c < channels; c++)
            {
                int start = (o * channels + c) * inner;
                for (int i = start; i < start + inner; i++)
                    quantized[i] = (sbyte)Math.Clamp(MathF.Round(weights[i] / scales[c], MidpointRounding.ToEven), -WeightMax, WeightMax);
            }
        return quantized;
    }

    /// <summary>real = q * scale[c] along <paramref name="axis"/> (DequantizeLinear with zero point 0).</summary>
    public static float[] DequantizeWeights(ReadOnlySpan<sbyte> quantized, IReadOnlyList<long> dims, int axis, ReadOnlySpan<float> scales)
    {
        var (outer, channels, inner) = Split(quantized.Length, dims, axis);
        var real = new float[quantized.Length];
        for (int o = 0; o < outer; o++)
            for (int c = 0; c < channels; c++)
            {
                int start = (o * channels + c) * inner;
                for (int i = start; i < start + inner; i++) real[i] = quantized[i] * scales[c];
            }
        return real;
    }

    /// <summary>
    /// int32 bias of one output channel at scale inputScale * weightScale. Where the bias would not fit in int32
    /// (a nearly-zero weight channel under a large bias), the weight scale is widened until it does; the widened
    /// weight scale is returned with it and must be used for that channel's weights too.
    /// </summary>
    public static (int Bias, float WeightScale) Bias(float bias, float inputScale, float weightScale)
    {
        if (!float.IsFinite(bias)) throw new ArgumentException($"a bias of {bias} is not finite");
        // Leave headroom below int.MaxValue: the accumulator adds the products of the inputs to it.
        const double limit = int.MaxValue / 2.0;
        double scale = (double)inputScale * weightScale;
        if (Math.Abs(bias) / scale > limit)
        {
            weightScale = (float)(Math.Abs(bias) / limit / inputScale) * (1 + 1e-6f);
            scale = (double)inputScale * weightScale;
        }
        return ((int)Math.Round(bias / scale, MidpointRounding.ToEven), weightScale);
    }

    private static (int Outer, int Channels, int Inner) Split(int length, IReadOnlyList<long> dims, int axis)
    {
        if (axis < 0 || axis >= dims.Count) throw new ArgumentException($"axis {axis} is outside a tensor of rank {dims.Count}");
        long count = dims.Aggregate(1L, (a, b) => a * b);
        if (count != length) throw new ArgumentException($"a tensor of shape [{string.Join(", ", dims)}] holds {count} values, not {length}");
        long outer = dims.Take(axis).Aggregate(1L, (a, b) => a * b), inner = dims.Skip(axis + 1).Aggregate(1L, (a, b) => a * b);
        return ((int)outer, (int)dims[axis], (int)inner);
    }
}
