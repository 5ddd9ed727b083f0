using PocketNet.Models.SearchSpace;
using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.Cells;

/// <summary>
/// A cell of the final network: s0 and s1 (outputs of the two previous cells) are pre-processed to C
/// channels, each intermediate node sums its edges, and the output concatenates the chosen nodes.
/// In a reduction cell the edges that read s0 or s1 have stride 2.
/// State-dict layout as the reference: preproc0, preproc1, dag.{node}.{edge}.
/// </summary>
public sealed class Cell : Module
{
    private readonly Module<Tensor, Tensor> _preprocess0;
    private readonly DepthwiseSeparableConv _preprocess1;
    private readonly ModuleList<ModuleList<Module<Tensor, Tensor>>> _dag;
    private readonly IReadOnlyList<IReadOnlyList<Edge>> _nodes;
    private readonly IReadOnlyList<int> _concat;

    /// <param name="channelsBeforePrevious">Channels of s0.</param>
    /// <param name="channelsPrevious">Channels of s1.</param>
    /// <param name="channels">C, the width of every node of this cell.</param>
    /// <param name="previousWasReduction">s0 has twice s1's resolution, so preproc0 must halve it.</param>
    public Cell(Genotype genotype, long channelsBeforePrevious, long channelsPrevious, long channels,
        bool previousWasReduction, bool reduction)
    {
        IsReduction = reduction;
        _nodes = genotype.Nodes(reduction);
        _concat = genotype.Concat(reduction);
        _preprocess0 = RegisterModule("preproc0", previousWasReduction
            ? new FactorizedReduce(channelsBeforePrevious, channels)
            : (Module<Tensor, Tensor>)new DepthwiseSeparableConv(channelsBeforePrevious, channels, 1, 1));
        _preprocess1 = RegisterModule("preproc1", new DepthwiseSeparableConv(channelsPrevious, channels, 1, 1));
        _dag = RegisterModule("dag", new ModuleList<ModuleList<Module<Tensor, Tensor>>>());
        foreach (var edges in _nodes)
            _dag.Add(new ModuleList<Module<Tensor, Tensor>>(edges.Select(edge =>
                Operations.Create(edge.Operation, channels, reduction && edge.Input < 2 ? 2 : 1, affine: true))));
        OutputChannels = channels * _concat.Count;
    }

    public bool IsReduction { get; }

    public long OutputChannels { get; }

    public Tensor Forward(Tensor s0, Tensor s1)
    {
        using var scope = DisposeScope.Enter();
        var states = new List<Tensor> { _preprocess0.Forward(s0), _preprocess1.Forward(s1) };
        for (int node = 0; node < _nodes.Count; node++)
        {
            Tensor sum = _dag[node][0].Forward(states[_nodes[node][0].Input]);
            for (int e = 1; e < _nodes[node].Count; e++)
            {
                using Tensor term = _dag[node][e].Forward(states[_nodes[node][e].Input]);
                Tensor next = sum + term;
                sum.Dispose();
                sum = next;
            }
            states.Add(sum);
        }
        return Tensors.Cat(_concat.Select(i => states[i]).ToList(), 1).MoveToOuterScope();
    }
}
