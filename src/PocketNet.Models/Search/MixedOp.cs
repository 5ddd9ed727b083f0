using PocketNet.Models.SearchSpace;
using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.Search;

/// <summary>
/// One edge of the search supernet: every primitive of <see cref="Primitives.All"/> applied to the same
/// input, mixed by architecture weights (a softmax row over the primitives): Σ w_k · op_k(x).
/// Batch norms carry no affine parameters, as in the reference (affine = False), so the alphas alone
/// scale each path. State-dict keys: <c>_ops.{k}</c>, k in <see cref="Primitives.All"/> order.
/// </summary>
public sealed class MixedOp : Module
{
    private readonly ModuleList<Module<Tensor, Tensor>> _ops;

    public MixedOp(long channels, int stride)
    {
        Stride = stride;
        _ops = RegisterModule("_ops", new ModuleList<Module<Tensor, Tensor>>(
            Primitives.All.Select(p => Operations.Create(p, channels, stride, affine: false))));
    }

    public int Stride { get; }

    /// <summary>The module of one primitive.</summary>
    public Module<Tensor, Tensor> Operation(Primitive primitive) => _ops[IndexOf(primitive)];

    /// <param name="input">[N, C, H, W].</param>
    /// <param name="weights">[8]: the mixing weight of each primitive (a softmax of the edge's alphas).</param>
    public Tensor Forward(Tensor input, Tensor weights)
    {
        if (weights.Dim != 1 || weights.Size(0) != _ops.Count)
            throw new ArgumentException($"a mixed op needs {_ops.Count} weights, one per primitive; got {weights}");
        using var scope = DisposeScope.Enter();
        Tensor? sum = null;
        for (int k = 0; k < _ops.Count; k++)
        {
            // "none" is zero everywhere: its term adds nothing (its weight still takes part in the softmax).
            if (Primitives.All[k] == Primitive.None) continue;
            Tensor output = _ops[k].Forward(input);
            Tensor weighted = output * weights.Select(0, k);
            output.Dispose();
            if (sum is null)
            {
                sum = weighted;
                continue;
            }
            Tensor next = sum + weighted;
            sum.Dispose();
            weighted.Dispose();
            sum = next;
        }
        return sum!.MoveToOuterScope();
    }

    private static int IndexOf(Primitive primitive)
    {
        for (int k = 0; k < Primitives.All.Count; k++)
            if (Primitives.All[k] == primitive) return k;
        throw new ArgumentOutOfRangeException(nameof(primitive), primitive, "not a primitive of the search space");
    }
}
