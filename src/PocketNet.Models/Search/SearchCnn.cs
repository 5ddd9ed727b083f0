using PocketNet.Models.Cells;
using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.Search;

/// <summary>
/// The weights of the search supernet (the reference's SearchCNN): a strided 3x3 stem to
/// stemMultiplier·C channels, <c>cells</c> <see cref="SearchCell"/>s with reductions where the final
/// network has them (n/3, 2n/3, n-1, doubling C), MobileFaceNet's tail (1x1 conv to 512, global
/// depthwise conv, 1x1 conv to 128) and a linear classifier over the training identities.
/// The architecture weights live outside, in <see cref="SearchNetwork"/>.
/// Keys: stem.{0,1}, cells.{i}..., tail.{0..7}, linear.
/// </summary>
public sealed class SearchCnn : Module
{
    public const int TailWidth = 512;
    public const int FeatureSize = 128;

    // The reference's tail conv "GDC" groups its 512 channels in 128 groups of 4 (not depthwise).
    private const int TailGroups = 128;

    private readonly Sequential _stem;
    private readonly ModuleList<SearchCell> _cells;
    private readonly Sequential _tail;
    private readonly Linear _linear;

    public SearchCnn(int classes, int channels, int cells, int nodes, int stemMultiplier, int inputSize, int inputChannels = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(cells, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(stemMultiplier, 1);
        FinalResolution = TailResolution(inputSize, cells);

        long stemWidth = (long)stemMultiplier * channels;
        _stem = RegisterModule("stem", new Sequential(
            new Conv2d(inputChannels, stemWidth, 3, stride: 2, padding: 1, bias: false),
            new BatchNorm2d(stemWidth)));

        _cells = RegisterModule("cells", new ModuleList<SearchCell>());
        long beforePrevious = stemWidth, previous = stemWidth, width = channels;
        bool previousWasReduction = false;
        for (int i = 0; i < cells; i++)
        {
            bool reduction = CellNetwork.IsReductionCell(i, cells);
            if (reduction) width *= 2;
            var cell = new SearchCell(nodes, beforePrevious, previous, width, previousWasReduction, reduction);
            _cells.Add(cell);
            (beforePrevious, previous, previousWasReduction) = (previous, cell.OutputChannels, reduction);
        }

        // The reference's 7x7 kernel covers the 7x7 map of a 112x112 input; at other input sizes the
        // kernel is the final map's size, so the conv still pools the whole map (needed for small test inputs).
        _tail = RegisterModule("tail", new Sequential(
            new PReLU(previous),
            new Conv2d(previous, TailWidth, 1, bias: false),
            new BatchNorm2d(TailWidth),
            new PReLU(TailWidth),
            new Conv2d(TailWidth, TailWidth, FinalResolution, groups: TailGroups, bias: false),
            new BatchNorm2d(TailWidth),
            new Conv2d(TailWidth, FeatureSize, 1, bias: false),
            new BatchNorm2d(FeatureSize)));
        _linear = RegisterModule("linear", new Linear(FeatureSize, classes));
    }

    /// <summary>Side of the feature map that reaches the tail (7 for 112x112 inputs and 8 cells).</summary>
    public int FinalResolution { get; }

    public IReadOnlyList<SearchCell> Cells => _cells;

    /// <summary>
    /// The side of the tail's input for a square input and a cell count; every reduction must see an
    /// even side (FactorizedReduce concatenates two shifted halves).
    /// </summary>
    public static int TailResolution(int inputSize, int cells)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputSize, 2);
        int size = (inputSize - 1) / 2 + 1; // stem: 3x3, stride 2, padding 1
        for (int i = 0; i < cells; i++)
        {
            if (!CellNetwork.IsReductionCell(i, cells)) continue;
            if (size % 2 != 0)
                throw new ArgumentException(
                    $"a {inputSize}x{inputSize} input reaches reduction cell {i} at {size}x{size}; reductions need an even size " +
                    "(use a multiple of 16, e.g. 112, 64 or 32)", nameof(inputSize));
            size /= 2;
        }
        return size;
    }

    /// <param name="weightsNormal">Per node of a normal cell, [node + 2, 8] mixing weights.</param>
    /// <param name="weightsReduce">The same for reduction cells.</param>
    /// <returns>Class logits [N, classes].</returns>
    public Tensor Forward(Tensor input, IReadOnlyList<Tensor> weightsNormal, IReadOnlyList<Tensor> weightsReduce)
    {
        using var scope = DisposeScope.Enter();
        Tensor s0 = _stem.Forward(input), s1 = s0;
        foreach (SearchCell cell in _cells)
        {
            Tensor next = cell.Forward(s0, s1, cell.IsReduction ? weightsReduce : weightsNormal);
            if (!ReferenceEquals(s0, s1)) s0.Dispose();
            (s0, s1) = (s1, next);
        }
        Tensor features = _tail.Forward(s1).Flatten(1);
        return _linear.Forward(features).MoveToOuterScope();
    }
}
