using PocketNet.Models.Cells;
using PocketNet.Models.SearchSpace;
using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Onnx.Export.Emitters;

/// <summary>
/// A cell network (PocketNet, or any genotype): stem, the cells (each reading the outputs of the two
/// previous ones), tail, flatten to [N, E].
/// </summary>
internal sealed class CellNetworkEmitter : ModuleEmitter<CellNetwork>
{
    protected override string Emit(EmitContext context, CellNetwork network, string input)
    {
        string s0 = context.EmitChild(network, "stem", input), s1 = s0;
        var cells = context.Child<ModuleList<Cell>>(network, "cells");
        for (int i = 0; i < cells.Count; i++)
        {
            Cell cell = cells[i];
            string next = context.Within("cells", () => context.Within(i.ToString(), () => CellEmitter.Emit(context, cell, network.Genotype, s0, s1)));
            (s0, s1) = (s1, next);
        }
        return context.Flatten(context.EmitChild(network, "tail", s1));
    }
}

/// <summary>
/// One cell, which has two inputs and so is emitted by its network rather than through the per-type table:
/// pre-process s0 and s1, each intermediate node the sum of its edges (in genotype order), the output the
/// channel concatenation of the genotype's concat states. The genotype comes from the network, since the
/// cell keeps its own copy private.
/// </summary>
internal static class CellEmitter
{
    public static string Emit(EmitContext context, Cell cell, Genotype genotype, string s0, string s1)
    {
        var nodes = genotype.Nodes(cell.IsReduction);
        var dag = context.Child<ModuleList<ModuleList<Module<Tensor, Tensor>>>>(cell, "dag");
        if (dag.Count != nodes.Count || nodes.Where((edges, i) => dag[i].Count != edges.Count).Any())
            throw new InvalidOperationException($"the cell at '{context.Hint()}' does not match its network's genotype");

        var states = new List<string> { context.EmitChild(cell, "preproc0", s0), context.EmitChild(cell, "preproc1", s1) };
        for (int node = 0; node < nodes.Count; node++)
        {
            string? sum = null;
            for (int e = 0; e < nodes[node].Count; e++)
            {
                Edge edge = nodes[node][e];
                // As Cell's constructor: in a reduction cell, edges reading s0 or s1 have stride 2.
                using var stride = context.WithEdgeStride(cell.IsReduction && edge.Input < 2 ? 2 : 1);
                string term = context.Emit(dag[node][e], $"dag.{node}.{e}", states[edge.Input]);
                sum = sum is null ? term : context.Add(sum, term, $"node{node + 2}");
            }
            states.Add(sum!);
        }
        return context.Concat(genotype.Concat(cell.IsReduction).Select(i => states[i]).ToList());
    }
}
