using PocketNet.Torch.Native;

namespace PocketNet.Torch.NN;

/// <summary>How a loss combines its per-element values (at::Reduction's codes).</summary>
public enum Reduction
{
    None = 0,
    Mean = 1,
    Sum = 2,
}

/// <summary>Stateless neural-network functions, as torch.nn.functional.</summary>
public static unsafe partial class Functional
{
    private static IntPtr Optional(Tensor? t) => t?.Handle ?? IntPtr.Zero;

    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias = null, (long H, long W)? stride = null,
        (long H, long W)? padding = null, (long H, long W)? dilation = null, long groups = 1)
    {
        var s = stride ?? (1, 1);
        var p = padding ?? (0, 0);
        var d = dilation ?? (1, 1);
        long* strides = stackalloc long[] { s.H, s.W };
        long* paddings = stackalloc long[] { p.H, p.W };
        long* dilations = stackalloc long[] { d.H, d.W };
        return Tensor.Wrap(NativeMethods.pn_conv2d(input.Handle, weight.Handle, Optional(bias), strides, paddings, dilations, groups));
    }

    /// <summary>
    /// Batch normalisation over dim 1. In training mode batch statistics are used and the running
    /// statistics, when given, are updated in place with <paramref name="momentum"/>.
    /// </summary>
    public static Tensor BatchNorm(Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight, Tensor? bias,
        bool training, double momentum = 0.1, double eps = 1e-5) =>
        Tensor.Wrap(NativeMethods.pn_batch_norm(input.Handle, Optional(weight), Optional(bias), Optional(runningMean),
            Optional(runningVar), training ? 1 : 0, momentum, eps));

    /// <summary>max(0, x) + weight * min(0, x), weight per channel (dim 1) or shared.</summary>
    public static Tensor PRelu(Tensor input, Tensor weight) => Tensor.Wrap(NativeMethods.pn_prelu(input.Handle, weight.Handle));

    public static Tensor Relu(Tensor input) => input.Relu();

    public static Tensor MaxPool2d(Tensor input, long kernel, long? stride = null, long padding = 0, long dilation = 1, bool ceilMode = false)
    {
        long s = stride ?? kernel;
        long* k = stackalloc long[] { kernel, kernel };
        long* st = stackalloc long[] { s, s };
        long* p = stackalloc long[] { padding, padding };
        long* d = stackalloc long[] { dilation, dilation };
        return Tensor.Wrap(NativeMethods.pn_max_pool2d(input.Handle, k, st, p, d, ceilMode ? 1 : 0));
    }

    /// <summary>Average pooling; with <paramref name="countIncludePad"/> false the padded zeros are not counted.</summary>
    public static Tensor AvgPool2d(Tensor input, long kernel, long? stride = null, long padding = 0, bool ceilMode = false,
        bool countIncludePad = true)
    {
        long s = stride ?? kernel;
        long* k = stackalloc long[] { kernel, kernel };
        long* st = stackalloc long[] { s, s };
        long* p = stackalloc long[] { padding, padding };
        return Tensor.Wrap(NativeMethods.pn_avg_pool2d(input.Handle, k, st, p, ceilMode ? 1 : 0, countIncludePad ? 1 : 0));
    }

    public static Tensor AdaptiveAvgPool2d(Tensor input, long outputH, long outputW)
    {
        long* size = stackalloc long[] { outputH, outputW };
        return Tensor.Wrap(NativeMethods.pn_adaptive_avg_pool2d(input.Handle, size));
    }

    public static Tensor Dropout(Tensor input, double p, bool training) =>
        Tensor.Wrap(NativeMethods.pn_dropout(input.Handle, p, training ? 1 : 0));

    public static Tensor Linear(Tensor input, Tensor weight, Tensor? bias = null) =>
        Tensor.Wrap(NativeMethods.pn_linear(input.Handle, weight.Handle, Optional(bias)));

    public static Tensor Softmax(Tensor input, long dim) => Tensor.Wrap(NativeMethods.pn_softmax(input.Handle, dim, 0));

    public static Tensor LogSoftmax(Tensor input, long dim) => Tensor.Wrap(NativeMethods.pn_softmax(input.Handle, dim, 1));

    /// <summary>Cross-entropy of raw logits [N, C] against class indices [N] (int64).</summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor target, Reduction reduction = Reduction.Mean,
        double labelSmoothing = 0, long ignoreIndex = -100, Tensor? classWeight = null) =>
        Tensor.Wrap(NativeMethods.pn_cross_entropy(logits.Handle, target.Handle, Optional(classWeight), (int)reduction,
            ignoreIndex, labelSmoothing));

    public static Tensor NllLoss(Tensor logProbabilities, Tensor target, Reduction reduction = Reduction.Mean, long ignoreIndex = -100) =>
        Tensor.Wrap(NativeMethods.pn_nll_loss(logProbabilities.Handle, target.Handle, (int)reduction, ignoreIndex));

    public static Tensor MseLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
        Tensor.Wrap(NativeMethods.pn_mse_loss(input.Handle, target.Handle, (int)reduction));

    /// <summary>x / max(‖x‖_p, eps) along dim (torch.nn.functional.normalize).</summary>
    public static Tensor Normalize(Tensor input, double p = 2, long dim = 1, double eps = 1e-12) =>
        Tensor.Wrap(NativeMethods.pn_normalize(input.Handle, p, dim, eps));

    // ---- EdgeFace: layer normalisation and GELU

    /// <summary>
    /// Normalises over the last dimensions (<paramref name="normalizedShape"/>) to zero mean and unit (biased)
    /// variance, then scales and shifts element-wise (torch.nn.functional.layer_norm).
    /// </summary>
    public static Tensor LayerNorm(Tensor input, long[] normalizedShape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
    {
        fixed (long* shape = normalizedShape)
            return Tensor.Wrap(NativeMethods.pn_layer_norm(input.Handle, shape, normalizedShape.Length, Optional(weight), Optional(bias), eps));
    }

    /// <summary>x·Φ(x) with Φ the normal CDF (exact, erf), or its tanh approximation (torch.nn.functional.gelu).</summary>
    public static Tensor Gelu(Tensor input, bool tanhApproximation = false) =>
        Tensor.Wrap(NativeMethods.pn_gelu(input.Handle, tanhApproximation ? 1 : 0));
}
