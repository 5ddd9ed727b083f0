using PocketNet.Models.Search;
using PocketNet.Models.SearchSpace;
using PocketNet.Torch;

namespace PocketNet.Training.Tests.Search;

public sealed class GenotypeDerivationTests
{
    // Every alpha not set explicitly; the strongest non-none entry of an edge decides its strength.
    private const double Background = -1;

    private static double[] Row(params (Primitive Primitive, double Value)[] entries)
    {
        var row = Enumerable.Repeat(Background, Primitives.All.Count).ToArray();
        foreach (var (primitive, value) in entries) row[Primitives.All.ToList().IndexOf(primitive)] = value;
        return row;
    }

    /// <summary>Normal-cell alphas with the cases worked out by hand in <see cref="ExpectedNormal"/>.</summary>
    private static List<double[][]> HandSetNormal() =>
    [
        // node 2: none is by far the largest on edge 0, but is never chosen: dw_conv_3x3 (1.0) is that edge's op.
        [Row((Primitive.None, 5.0), (Primitive.DwConv3x3, 1.0)), Row((Primitive.MaxPool3x3, 0.5))],
        // node 3: three edges tie at 0.7: the earlier edges (0, 1) win, in that order; edge 2's op ties too
        // (dw_conv_5x5 and dw_conv_7x7), which would pick the earlier primitive.
        [Row((Primitive.SkipConnect, 0.7)), Row((Primitive.AvgPool3x3, 0.7)), Row((Primitive.DwConv5x5, 0.7), (Primitive.DwConv7x7, 0.7))],
        // node 4: the strongest edge comes first (3 before 1); within edge 3 dw_conv_3x3 and dw_conv_5x5 tie -> dw_conv_3x3.
        [Row((Primitive.DwConv1x1, 0.1)), Row((Primitive.DwConv7x7, 0.6)), Row((Primitive.None, 9.0)), Row((Primitive.DwConv3x3, 0.9), (Primitive.DwConv5x5, 0.9))],
        // node 5: all alphas negative, none the largest everywhere; the least negative non-none entries decide.
        [
            Row((Primitive.None, 0.0), (Primitive.MaxPool3x3, -0.3)),
            Row((Primitive.None, 0.0), (Primitive.SkipConnect, -0.2)),
            Row((Primitive.None, 0.0)),
            Row((Primitive.None, 0.0), (Primitive.AvgPool3x3, -0.9)),
            Row((Primitive.None, 0.0), (Primitive.DwConv5x5, -0.25)),
        ],
    ];

    private const string ExpectedNormal =
        "[[('dw_conv_3x3', 0), ('max_pool_3x3', 1)], [('skip_connect', 0), ('avg_pool_3x3', 1)], " +
        "[('dw_conv_3x3', 3), ('dw_conv_7x7', 1)], [('skip_connect', 1), ('dw_conv_5x5', 4)]]";

    [Fact]
    public void HandSetAlphasGiveTheHandDerivedGenotype()
    {
        // Reduction cell: node 5's edges from states 2 and 0 are the strongest.
        var reduce = new List<double[][]>
        {
            new[] { Row((Primitive.DwConv7x7, 2.0)), Row((Primitive.DwConv3x3, 3.0)) },
            new[] { Row(), Row((Primitive.DwConv5x5, 1.0)), Row((Primitive.SkipConnect, 2.0)) },
            new[] { Row((Primitive.MaxPool3x3, 1.0)), Row(), Row((Primitive.SkipConnect, 0.5)), Row((Primitive.None, 3.0)) },
            new[] { Row((Primitive.MaxPool3x3, 0.8)), Row((Primitive.MaxPool3x3, 0.7)), Row(), Row(), Row() },
        };
        Genotype derived = GenotypeDerivation.Derive(HandSetNormal(), reduce);

        var expected = Genotype.Parse(
            $"Genotype(normal={ExpectedNormal}, normal_concat=range(2, 6), " +
            "reduce=[[('dw_conv_3x3', 1), ('dw_conv_7x7', 0)], [('skip_connect', 2), ('dw_conv_5x5', 1)], " +
            "[('max_pool_3x3', 0), ('skip_connect', 2)], [('max_pool_3x3', 0), ('max_pool_3x3', 1)]], reduce_concat=range(2, 6))");
        Assert.Equal(expected.ToString(), derived.ToString());
        // These reduction alphas were chosen to give PocketNet's reduction cell.
        Assert.Equal(Genotype.PocketNet.ToString()[Genotype.PocketNet.ToString().IndexOf("reduce=", StringComparison.Ordinal)..],
            derived.ToString()[derived.ToString().IndexOf("reduce=", StringComparison.Ordinal)..]);
        Assert.Equal(derived, Genotype.Parse(derived.ToString()));
    }

    [Fact]
    public void TheSupernetDerivesFromItsOwnAlphas()
    {
        using var scope = DisposeScope.Enter();
        Engine.ManualSeed(3);
        using var network = new SearchNetwork(classes: 3, channels: 2, cells: 3, nodes: 4, inputSize: 16);
        Assert.Equal(Enumerable.Range(0, 4).Select(i => new long[] { i + 2, 8 }), network.AlphaNormal.Select(a => a.Shape));
        Assert.Equal(8, network.Alphas().Count);
        Assert.All(network.Alphas(), a => Assert.True(a.Abs().Max().Item() < 1e-2, "alphas start at 1e-3 * N(0, 1)"));

        // Write PocketNet's cells into the alphas: each kept edge gets its op at a strength that keeps the edge order.
        Set(network.AlphaNormal, Genotype.PocketNet.Normal);
        Set(network.AlphaReduce, Genotype.PocketNet.Reduce);
        Assert.Equal(Genotype.PocketNet, network.DeriveGenotype());

        // Names as the reference's SearchCNNController, so a state_dict round trip works.
        var keys = network.StateDict().Select(kv => kv.Key).ToList();
        Assert.Equal("alpha_normal.0", keys[0]);
        Assert.Contains("alpha_reduce.3", keys);
        Assert.Contains("net.stem.0.weight", keys);
        Assert.Contains("net.cells.0.dag.3.4._ops.3.net.1.weight", keys);
        Assert.Contains("net.cells.1.preproc0.net.1.weight", keys);
        Assert.Contains("net.cells.2.preproc0.conv11.weight", keys);
        Assert.Contains("net.linear.weight", keys);
        Assert.DoesNotContain(keys, k => k.StartsWith("net.", StringComparison.Ordinal) && k.Contains("alpha", StringComparison.Ordinal));
        Assert.Equal(network.Parameters().Count(), network.Weights().Count + network.Alphas().Count);

        Engine.ManualSeed(4);
        using var copy = new SearchNetwork(classes: 3, channels: 2, cells: 3, nodes: 4, inputSize: 16);
        copy.LoadStateDict(network.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value));
        Assert.Equal(Genotype.PocketNet, copy.DeriveGenotype());
    }

    private static void Set(IReadOnlyList<Tensor> alphas, IReadOnlyList<IReadOnlyList<Edge>> nodes)
    {
        using var noGrad = Engine.NoGrad();
        for (int node = 0; node < nodes.Count; node++)
        {
            int edges = node + 2;
            var values = new float[edges * Primitives.All.Count];
            Array.Fill(values, -2f);
            for (int e = 0; e < nodes[node].Count; e++)
            {
                Edge edge = nodes[node][e];
                values[edge.Input * Primitives.All.Count + Primitives.All.ToList().IndexOf(edge.Operation)] = 1f - 0.1f * e;
            }
            // "none" outweighs everything on every edge, and must still be ignored.
            for (int input = 0; input < edges; input++) values[input * Primitives.All.Count + Primitives.All.Count - 1] = 4f;
            alphas[node].CopyFrom(Tensors.FromArray(values, edges, Primitives.All.Count));
        }
    }
}
