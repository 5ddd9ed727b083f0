namespace PocketNet.Torch.Tests.Support;

/// <summary>
/// Straightforward managed implementations of the kernels under test, written from their definitions
/// (loops over every index), so the native results are checked against an independent computation.
/// Arrays are row-major NCHW.
/// </summary>
internal static class NaiveKernels
{
    public static double[] Conv2d(double[] x, int n, int c, int h, int w, double[] weight, int outC, int k,
        double[]? bias, int stride, int pad, int dilation, int groups, out int outH, out int outW)
    {
        outH = (h + 2 * pad - dilation * (k - 1) - 1) / stride + 1;
        outW = (w + 2 * pad - dilation * (k - 1) - 1) / stride + 1;
        int inPerGroup = c / groups, outPerGroup = outC / groups;
        var y = new double[n * outC * outH * outW];
        for (int b = 0; b < n; b++)
        for (int o = 0; o < outC; o++)
        {
            int g = o / outPerGroup;
            for (int i = 0; i < outH; i++)
            for (int j = 0; j < outW; j++)
            {
                double sum = bias?[o] ?? 0;
                for (int ci = 0; ci < inPerGroup; ci++)
                for (int ki = 0; ki < k; ki++)
                for (int kj = 0; kj < k; kj++)
                {
                    int yy = i * stride - pad + ki * dilation, xx = j * stride - pad + kj * dilation;
                    if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
                    int channel = g * inPerGroup + ci;
                    sum += x[((b * c + channel) * h + yy) * w + xx] * weight[((o * inPerGroup + ci) * k + ki) * k + kj];
                }
                y[((b * outC + o) * outH + i) * outW + j] = sum;
            }
        }
        return y;
    }

    /// <summary>Pooling with a k x k window; average pooling optionally ignores padded positions.</summary>
    public static double[] Pool2d(double[] x, int n, int c, int h, int w, int k, int stride, int pad, bool max,
        bool countIncludePad, out int outH, out int outW)
    {
        outH = (h + 2 * pad - k) / stride + 1;
        outW = (w + 2 * pad - k) / stride + 1;
        var y = new double[n * c * outH * outW];
        for (int b = 0; b < n; b++)
        for (int ch = 0; ch < c; ch++)
        for (int i = 0; i < outH; i++)
        for (int j = 0; j < outW; j++)
        {
            double acc = max ? double.NegativeInfinity : 0;
            int count = 0;
            for (int ki = 0; ki < k; ki++)
            for (int kj = 0; kj < k; kj++)
            {
                int yy = i * stride - pad + ki, xx = j * stride - pad + kj;
                bool inside = yy >= 0 && yy < h && xx >= 0 && xx < w;
                if (countIncludePad || inside) count++;
                if (!inside) continue;
                double v = x[((b * c + ch) * h + yy) * w + xx];
                acc = max ? Math.Max(acc, v) : acc + v;
            }
            y[((b * c + ch) * outH + i) * outW + j] = max ? acc : acc / count;
        }
        return y;
    }

    /// <summary>Per-channel batch statistics (mean and biased variance) of NCHW data.</summary>
    public static (double[] Mean, double[] Var) ChannelStatistics(double[] x, int n, int c, int hw)
    {
        var mean = new double[c];
        var variance = new double[c];
        for (int ch = 0; ch < c; ch++)
        {
            double s = 0, s2 = 0;
            for (int b = 0; b < n; b++)
            for (int p = 0; p < hw; p++)
            {
                double v = x[(b * c + ch) * hw + p];
                s += v;
                s2 += v * v;
            }
            int m = n * hw;
            mean[ch] = s / m;
            variance[ch] = s2 / m - mean[ch] * mean[ch];
        }
        return (mean, variance);
    }
}
