using PocketNet.Onnx.Quantization;

namespace PocketNet.Onnx.Tests.Quantization;

/// <summary>The scale and zero-point rules against values worked out by hand.</summary>
public sealed class QuantizationRulesTests
{
    [Fact]
    public void Activation_ranges_become_uint8_scales_and_zero_points()
    {
        // [-1, 3]: 4 / 255 per step; 0 sits 1 / (4/255) = 63.75 steps up, rounded to 64.
        Assert.Equal(new AffineQuantization(4f / 255, 64), QuantizationRules.Activation(-1, 3));
        // A positive range is widened to hold 0: [0, 2], zero point 0.
        Assert.Equal(new AffineQuantization(2f / 255, 0), QuantizationRules.Activation(0.5f, 2));
        // A negative range: [-2, 0], zero point at the top.
        Assert.Equal(new AffineQuantization(2f / 255, 255), QuantizationRules.Activation(-2, -1));
        // [-0.5, 1.5]: 0.5 / (2/255) = 63.75 steps.
        Assert.Equal(new AffineQuantization(2f / 255, 64), QuantizationRules.Activation(-0.5f, 1.5f));
        // Never anything but zero: any scale is exact.
        Assert.Equal(new AffineQuantization(1f, 0), QuantizationRules.Activation(0, 0));
        Assert.Throws<ArgumentException>(() => QuantizationRules.Activation(1, -1));
        Assert.Throws<ArgumentException>(() => QuantizationRules.Activation(float.NaN, 1));
    }

    [Fact]
    public void Weights_are_symmetric_int8_per_output_channel()
    {
        // A Conv weight [2, 1, 1, 2]: channel 0 holds 0.5 and -1.27, channel 1 is all zero.
        float[] weights = [0.5f, -1.27f, 0, 0];
        long[] dims = [2, 1, 1, 2];
        float[] scales = QuantizationRules.WeightScales(weights, dims, axis: 0);
        Assert.Equal([1.27f / 127, 1f], scales);
        Assert.Equal([(sbyte)50, (sbyte)-127, (sbyte)0, (sbyte)0], QuantizationRules.QuantizeWeights(weights, dims, 0, scales));

        // A Gemm weight [K = 2, N = 3] without transB: channels are columns (axis 1).
        float[] gemm = [0.75f, -4, 0.5f, -2, 1, 0.1f];
        float[] columnScales = QuantizationRules.WeightScales(gemm, [2, 3], axis: 1);
        Assert.Equal([2f / 127, 4f / 127, 0.5f / 127], columnScales);
        // 0.75 / (2/127) = 47.6, 1 / (4/127) = 31.75, 0.1 / (0.5/127) = 25.4.
        Assert.Equal([(sbyte)48, (sbyte)-127, (sbyte)127, (sbyte)-127, (sbyte)32, (sbyte)25], QuantizationRules.QuantizeWeights(gemm, [2, 3], 1, columnScales));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Per_channel_weights_round_trip_within_half_a_step(int axis)
    {
        var random = new Random(7);
        long[] dims = [8, 6, 3, 3];
        // Channels of very different magnitudes: one scale for all would lose the small ones.
        float[] weights = Enumerable.Range(0, 8 * 6 * 9)
            .Select(i => (float)((random.NextDouble() * 2 - 1) * Math.Pow(10, -(axis == 0 ? i / 54 : i / 9 % 6) % 4))).ToArray();
        float[] scales = QuantizationRules.WeightScales(weights, dims, axis);
        sbyte[] quantized = QuantizationRules.QuantizeWeights(weights, dims, axis, scales);
        float[] restored = QuantizationRules.DequantizeWeights(quantized, dims, axis, scales);
        int inner = axis == 0 ? 54 : 9, channels = (int)dims[axis];
        for (int i = 0; i < weights.Length; i++)
        {
            float scale = scales[i / inner % channels];
            Assert.True(Math.Abs(restored[i] - weights[i]) <= scale / 2 * (1 + 1e-5), $"weight {i}: {weights[i]} came back as {restored[i]} (step {scale})");
        }
        // Every channel uses the full range: its largest weight lands on +-127.
        for (int c = 0; c < channels; c++)
            Assert.Contains(quantized.Where((_, i) => i / inner % channels == c), q => Math.Abs((int)q) == 127);
    }

    [Fact]
    public void Biases_are_int32_at_input_scale_times_weight_scale()
    {
        // 0.5 / (0.1 * 0.01) = 500 steps.
        var (bias, weightScale) = QuantizationRules.Bias(0.5f, 0.1f, 0.01f);
        Assert.Equal(500, bias);
        Assert.Equal(0.01f, weightScale);
        Assert.Equal(-3, QuantizationRules.Bias(-0.0003f, 0.01f, 0.01f).Bias);

        // 1000 / (1e-3 * 1e-9) steps would not fit: the weight scale widens until the bias does, and it still means 1000.
        var (wide, widened) = QuantizationRules.Bias(1000f, 1e-3f, 1e-9f);
        Assert.True(widened > 1e-9f);
        Assert.InRange(Math.Abs((long)wide), int.MaxValue / 4, int.MaxValue / 2);
        Assert.Equal(1000.0, wide * 1e-3 * widened, 1e-2);
    }
}
