using PocketNet.Models.SearchSpace;

namespace PocketNet.Models.Search;

/// <summary>
/// Turns continuous architecture weights into a discrete cell, as the reference's <c>genotypes.parse</c>:
/// on every incoming edge of a node the strongest primitive other than <c>none</c> is the edge's
/// operation and its alpha the edge's strength; the node keeps its k strongest edges, strongest first.
/// Raw alphas are compared (not their softmax), as the reference does. Ties, which PyTorch's topk
/// leaves unspecified, go to the earlier primitive and the earlier edge.
/// </summary>
public static class GenotypeDerivation
{
    /// <summary>Edges kept per node (2 in DARTS and PocketNet).</summary>
    public const int EdgesPerNode = 2;

    /// <param name="alphas">Per node a matrix [incoming edges][primitives] in <see cref="Primitives.All"/> order.</param>
    public static IReadOnlyList<IReadOnlyList<Edge>> Parse(IReadOnlyList<double[][]> alphas, int k = EdgesPerNode)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var nodes = new List<IReadOnlyList<Edge>>();
        for (int node = 0; node < alphas.Count; node++)
        {
            double[][] edges = alphas[node];
            if (edges.Length < k) throw new ArgumentException($"node {node + 2} has {edges.Length} incoming edges, fewer than the {k} to keep");
            var candidates = new List<(int Input, Primitive Operation, double Strength)>();
            for (int input = 0; input < edges.Length; input++)
            {
                if (edges[input].Length != Primitives.All.Count)
                    throw new ArgumentException($"edge {input} of node {node + 2} has {edges[input].Length} alphas, not {Primitives.All.Count}");
                int best = -1;
                for (int p = 0; p < Primitives.All.Count; p++)
                {
                    if (Primitives.All[p] == Primitive.None) continue;
                    if (best < 0 || edges[input][p] > edges[input][best]) best = p; // strict: ties keep the earlier
                }
                candidates.Add((input, Primitives.All[best], edges[input][best]));
            }
            // A stable sort keeps earlier edges first among equals.
            nodes.Add(candidates.OrderByDescending(c => c.Strength).Take(k).Select(c => new Edge(c.Operation, c.Input)).ToList());
        }
        return nodes;
    }

    /// <summary>A genotype from both cell types' alphas; every intermediate node is concatenated (range(2, 2 + nodes)).</summary>
    public static Genotype Derive(IReadOnlyList<double[][]> normal, IReadOnlyList<double[][]> reduce, int k = EdgesPerNode)
    {
        if (normal.Count != reduce.Count) throw new ArgumentException($"{normal.Count} normal nodes but {reduce.Count} reduction nodes");
        var concat = Enumerable.Range(2, normal.Count).ToList();
        var genotype = new Genotype(Parse(normal, k), concat, Parse(reduce, k), concat);
        genotype.Validate();
        return genotype;
    }
}
