using PocketNet.Models.SearchSpace;
using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.Cells;

/// <summary>
/// A face-embedding network stacked from one genotype's cells (the reference's AugmentCNN; PocketNet
/// is this network with <see cref="Genotype.PocketNet"/>): a strided stem, <c>cells</c> cells with
/// reductions at 1/3, 2/3 and the end, and a MobileFaceNet-style tail (1x1 conv, 7x7 global depthwise
/// conv, linear 1x1 conv to the embedding).
/// </summary>
public sealed class CellNetwork : Module<Tensor, Tensor>
{
    public const int StemMultiplier = 4;

    private readonly Sequential _stem;
    private readonly ModuleList<Cell> _cells;
    private readonly Sequential _tail;

    public CellNetwork(Genotype genotype, int channels, int cells, int embeddingSize, int inputChannels = 3)
    {
        // Three distinct reduction cells (n/3, 2n/3, n-1) take 56x56 after the stem to 7x7 for the tail.
        if (cells < 4) throw new ArgumentOutOfRangeException(nameof(cells), cells, "a cell network needs at least 4 cells (three of them reductions)");
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(embeddingSize, 1);
        genotype.Validate();
        (Genotype, Channels, CellCount, EmbeddingSize) = (genotype, channels, cells, embeddingSize);

        long stemWidth = StemMultiplier * channels;
        _stem = RegisterModule("stem", new Sequential(
            new Conv2d(inputChannels, stemWidth, 3, stride: 2, padding: 1, bias: false),
            new BatchNorm2d(stemWidth)));

        _cells = RegisterModule("cells", new ModuleList<Cell>());
        long beforePrevious = stemWidth, previous = stemWidth, width = channels;
        bool previousWasReduction = false;
        for (int i = 0; i < cells; i++)
        {
            bool reduction = IsReductionCell(i, cells);
            if (reduction) width *= 2;
            var cell = new Cell(genotype, beforePrevious, previous, width, previousWasReduction, reduction);
            _cells.Add(cell);
            (beforePrevious, previous, previousWasReduction) = (previous, cell.OutputChannels, reduction);
        }

        // The reference widens the tail to 1024 only for 512-d embeddings.
        long tailWidth = embeddingSize == 512 ? 1024 : 512;
        _tail = RegisterModule("tail", new Sequential(
            new PReLU(previous),
            new Conv2d(previous, tailWidth, 1, bias: false),
            new BatchNorm2d(tailWidth),
            new PReLU(tailWidth),
            new Conv2d(tailWidth, tailWidth, 7, groups: tailWidth, bias: false),
            new BatchNorm2d(tailWidth),
            new Conv2d(tailWidth, embeddingSize, 1, bias: false),
            new BatchNorm2d(embeddingSize)));

        InitialiseAsReference();
    }

    public Genotype Genotype { get; }
    public int Channels { get; }
    public int CellCount { get; }
    public int EmbeddingSize { get; }

    /// <summary>Cell i reduces when i is n/3, 2n/3 or n-1 (integer division).</summary>
    public static bool IsReductionCell(int index, int cells) => index == cells / 3 || index == 2 * cells / 3 || index == cells - 1;

    public override Tensor Forward(Tensor input)
    {
        using var scope = DisposeScope.Enter();
        Tensor s0 = _stem.Forward(input), s1 = s0;
        foreach (Cell cell in _cells)
        {
            Tensor next = cell.Forward(s0, s1);
            if (!ReferenceEquals(s0, s1)) s0.Dispose();
            (s0, s1) = (s1, next);
        }
        return _tail.Forward(s1).Flatten(1).MoveToOuterScope();
    }

    // Convolutions: kaiming-uniform with PyTorch's defaults (a = 0, fan_in); batch norms start at 1 and 0.
    private void InitialiseAsReference()
    {
        foreach (var (_, module) in NamedModules())
            if (module is Conv2d conv) Init.KaimingUniform(conv.Weight);
    }
}
