using PocketNet.Torch.Native;

namespace PocketNet.Torch;

/// <summary>Functional autograd (torch.autograd.grad), for algorithms that need gradients without accumulating them.</summary>
public static unsafe class Autograd
{
    /// <summary>
    /// Gradients of the sum of <paramref name="outputs"/> (weighted by <paramref name="gradOutputs"/>, when
    /// given) with respect to each of <paramref name="inputs"/>; null for an input the outputs do not use
    /// (with <paramref name="allowUnused"/>). No .grad field is touched.
    /// </summary>
    public static Tensor?[] Grad(IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor>? gradOutputs = null,
        bool retainGraph = false, bool createGraph = false, bool allowUnused = false)
    {
        if (gradOutputs is not null && gradOutputs.Count != outputs.Count)
            throw new ArgumentException($"{gradOutputs.Count} output gradients for {outputs.Count} outputs");
        IntPtr[] outs = outputs.Select(t => t.Handle).ToArray();
        IntPtr[]? grads = gradOutputs?.Select(t => t.Handle).ToArray();
        IntPtr[] ins = inputs.Select(t => t.Handle).ToArray();
        var results = new IntPtr[ins.Length];
        fixed (IntPtr* o = outs)
        fixed (IntPtr* g = grads)
        fixed (IntPtr* i = ins)
        fixed (IntPtr* r = results)
            NativeMethods.Check(NativeMethods.pn_autograd_grad(o, outs.Length, g, i, ins.Length, retainGraph ? 1 : 0,
                createGraph ? 1 : 0, allowUnused ? 1 : 0, r));
        return results.Select(h => h == IntPtr.Zero ? null : new Tensor(h)).ToArray();
    }
}
