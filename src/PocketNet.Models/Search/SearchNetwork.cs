using PocketNet.Models.SearchSpace;
using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.Search;

/// <summary>
/// The DARTS supernet of PocketNet's search (the reference's SearchCNNController): the network weights
/// (<see cref="SearchCnn"/>, key prefix <c>net.</c>) and the architecture parameters, one [i + 2, 8]
/// tensor per intermediate node for normal cells (<c>alpha_normal.{i}</c>) and reduction cells
/// (<c>alpha_reduce.{i}</c>), initialised as 1e-3 · N(0, 1). A forward pass mixes every edge's
/// primitives by the softmax of its alphas and returns class logits. The two parameter sets are
/// trained by different optimisers: <see cref="Weights"/> and <see cref="Alphas"/>.
/// </summary>
public sealed class SearchNetwork : Module<Tensor, Tensor>
{
    private readonly AlphaList _alphaNormal;
    private readonly AlphaList _alphaReduce;
    private readonly SearchCnn _net;

    /// <param name="classes">Identities of the training set (the classifier's outputs).</param>
    /// <param name="inputSize">Side of the square input images; 112 as in the paper.</param>
    public SearchNetwork(int classes, int channels = 16, int cells = 8, int nodes = 4, int stemMultiplier = 3,
        int inputSize = 112, int inputChannels = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nodes, GenotypeDerivation.EdgesPerNode - 1);
        (Classes, Channels, CellCount, Nodes, StemMultiplier, InputSize) = (classes, channels, cells, nodes, stemMultiplier, inputSize);

        // Drawn before the weights are initialised, alternating normal and reduce per node, as the reference.
        int primitives = Primitives.All.Count;
        var normal = new List<Tensor>();
        var reduce = new List<Tensor>();
        using (Engine.NoGrad())
            for (int i = 0; i < nodes; i++)
            {
                normal.Add(InitialAlpha(i + 2, primitives));
                reduce.Add(InitialAlpha(i + 2, primitives));
            }
        _alphaNormal = RegisterModule("alpha_normal", new AlphaList(normal));
        _alphaReduce = RegisterModule("alpha_reduce", new AlphaList(reduce));
        _net = RegisterModule("net", new SearchCnn(classes, channels, cells, nodes, stemMultiplier, inputSize, inputChannels));
    }

    public int Classes { get; }
    public int Channels { get; }
    public int CellCount { get; }
    public int Nodes { get; }
    public int StemMultiplier { get; }
    public int InputSize { get; }

    /// <summary>The network weights without the alphas.</summary>
    public SearchCnn Net => _net;

    public IReadOnlyList<Tensor> AlphaNormal => _alphaNormal.Items;

    public IReadOnlyList<Tensor> AlphaReduce => _alphaReduce.Items;

    /// <summary>Network weights (what SGD trains): every parameter but the alphas.</summary>
    public IReadOnlyList<Tensor> Weights() => _net.Parameters().ToList();

    /// <summary>Architecture parameters (what Adam trains): alpha_normal.0.., then alpha_reduce.0..</summary>
    public IReadOnlyList<Tensor> Alphas() => [.. AlphaNormal, .. AlphaReduce];

    public override Tensor Forward(Tensor input)
    {
        using var scope = DisposeScope.Enter();
        var normal = AlphaNormal.Select(a => Functional.Softmax(a, -1)).ToList();
        var reduce = AlphaReduce.Select(a => Functional.Softmax(a, -1)).ToList();
        return _net.Forward(input, normal, reduce).MoveToOuterScope();
    }

    /// <summary>The discrete architecture the current alphas stand for (see <see cref="GenotypeDerivation"/>).</summary>
    public Genotype DeriveGenotype() => GenotypeDerivation.Derive(ToMatrices(AlphaNormal), ToMatrices(AlphaReduce));

    /// <summary>Each alpha tensor as a matrix [edges][primitives].</summary>
    public static IReadOnlyList<double[][]> ToMatrices(IReadOnlyList<Tensor> alphas) => alphas.Select(alpha =>
    {
        using var scope = DisposeScope.Enter();
        Tensor values = alpha.Detach().To(ScalarType.Float64, Device.Cpu);
        double[] flat = values.ToArray<double>();
        int columns = (int)alpha.Size(1);
        return Enumerable.Range(0, (int)alpha.Size(0)).Select(r => flat.AsSpan(r * columns, columns).ToArray()).ToArray();
    }).ToList();

    private static Tensor InitialAlpha(int edges, int primitives)
    {
        using Tensor noise = Tensors.Randn([edges, primitives]);
        return noise * 1e-3;
    }
}
