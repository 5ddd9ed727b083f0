using PocketNet.Torch.Native;

namespace PocketNet.Torch.Optim;

/// <summary>Gradient clipping, as torch.nn.utils.</summary>
public static unsafe class GradientClipping
{
    /// <summary>
    /// Scales the gradients of <paramref name="parameters"/> in place so that their joint
    /// <paramref name="normType"/>-norm (all gradients taken as one vector; <see cref="double.PositiveInfinity"/>
    /// for the max-norm) is at most <paramref name="maxNorm"/>, as clip_grad_norm_: the factor is
    /// <c>maxNorm / (norm + 1e-6)</c>, capped at 1. Parameters without a gradient are ignored.
    /// </summary>
    /// <returns>The total norm before clipping (0 when no parameter has a gradient).</returns>
    public static double ClipGradNorm(IEnumerable<Tensor> parameters, double maxNorm, double normType = 2)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (double.IsNaN(maxNorm) || maxNorm < 0)
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "the maximum norm must be non-negative");
        if (double.IsNaN(normType) || normType <= 0)
            throw new ArgumentOutOfRangeException(nameof(normType), normType, "the norm type must be positive (or infinity)");

        IntPtr[] handles = parameters.Select(p => (p ?? throw new ArgumentException("a parameter is null", nameof(parameters))).Handle).ToArray();
        double total;
        fixed (IntPtr* h = handles)
            NativeMethods.Check(NativeMethods.pn_clip_grad_norm(h, handles.Length, maxNorm, normType, &total));
        return total;
    }
}
