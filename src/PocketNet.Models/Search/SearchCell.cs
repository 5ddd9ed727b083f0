using PocketNet.Models.SearchSpace;
using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.Search;

/// <summary>
/// A cell of the search supernet. Like <see cref="Cells.Cell"/> it pre-processes s0 and s1 to C channels
/// (FactorizedReduce for s0 after a reduction cell, else StdConv; batch norms without affine
/// parameters), but every intermediate node sums a <see cref="MixedOp"/> from each earlier state
/// (node i has i + 2 incoming edges); in a reduction cell the edges from s0 and s1 have stride 2.
/// The output concatenates all intermediate nodes. Keys: preproc0, preproc1, dag.{node}.{edge}._ops.{k}.
/// </summary>
public sealed class SearchCell : Module
{
    private readonly Module<Tensor, Tensor> _preprocess0;
    private readonly DepthwiseSeparableConv _preprocess1;
    private readonly ModuleList<ModuleList<MixedOp>> _dag;

    /// <param name="nodes">Intermediate nodes (4 in PocketNet's search).</param>
    /// <param name="channelsBeforePrevious">Channels of s0.</param>
    /// <param name="channelsPrevious">Channels of s1.</param>
    /// <param name="channels">C, the width of every node of this cell.</param>
    /// <param name="previousWasReduction">s0 has twice s1's resolution, so preproc0 must halve it.</param>
    public SearchCell(int nodes, long channelsBeforePrevious, long channelsPrevious, long channels,
        bool previousWasReduction, bool reduction)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nodes, 1);
        (Nodes, IsReduction) = (nodes, reduction);
        _preprocess0 = RegisterModule("preproc0", previousWasReduction
            ? new FactorizedReduce(channelsBeforePrevious, channels, affine: false)
            : (Module<Tensor, Tensor>)new DepthwiseSeparableConv(channelsBeforePrevious, channels, 1, 1, affine: false));
        _preprocess1 = RegisterModule("preproc1", new DepthwiseSeparableConv(channelsPrevious, channels, 1, 1, affine: false));
        _dag = RegisterModule("dag", new ModuleList<ModuleList<MixedOp>>());
        for (int node = 0; node < nodes; node++)
            _dag.Add(new ModuleList<MixedOp>(Enumerable.Range(0, node + 2)
                .Select(input => new MixedOp(channels, reduction && input < 2 ? 2 : 1))));
        OutputChannels = channels * nodes;
    }

    public int Nodes { get; }

    public bool IsReduction { get; }

    public long OutputChannels { get; }

    /// <summary>The mixed op on the edge from state <paramref name="input"/> into intermediate node <paramref name="node"/> (0-based).</summary>
    public MixedOp Edge(int node, int input) => _dag[node][input];

    /// <param name="weights">Per intermediate node a [node + 2, 8] tensor of mixing weights (softmax of the alphas).</param>
    public Tensor Forward(Tensor s0, Tensor s1, IReadOnlyList<Tensor> weights)
    {
        if (weights.Count != Nodes) throw new ArgumentException($"{weights.Count} weight tensors for a cell of {Nodes} nodes");
        using var scope = DisposeScope.Enter();
        var states = new List<Tensor> { _preprocess0.Forward(s0), _preprocess1.Forward(s1) };
        for (int node = 0; node < Nodes; node++)
        {
            Tensor sum = _dag[node][0].Forward(states[0], weights[node].Select(0, 0));
            for (int input = 1; input < states.Count; input++)
            {
                using Tensor term = _dag[node][input].Forward(states[input], weights[node].Select(0, input));
                Tensor next = sum + term;
                sum.Dispose();
                sum = next;
            }
            states.Add(sum);
        }
        return Tensors.Cat(states.Skip(2).ToList(), 1).MoveToOuterScope();
    }
}
