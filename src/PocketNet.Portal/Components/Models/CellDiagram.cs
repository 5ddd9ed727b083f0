using System.Globalization;
using PocketNet.Models.SearchSpace;

namespace PocketNet.Portal.Components.Models;

/// <summary>What a box of a cell diagram stands for.</summary>
public enum CellNodeKind
{
    Input,
    Intermediate,
    Output,
}

/// <summary>A box: <see cref="State"/> is the genotype's state index (0 = c_{k-2}, 1 = c_{k-1}, 2.. = nodes); X, Y are its centre.</summary>
public sealed record CellDiagramNode(int State, CellNodeKind Kind, string Label, string? Subscript, double X, double Y);

/// <summary>
/// An arrow between two boxes as an SVG path. Operation edges carry the operation's name, drawn at
/// (<see cref="LabelX"/>, <see cref="LabelY"/>); the edges into c_{k} (the concatenation) carry none.
/// </summary>
public sealed record CellDiagramEdge(int From, int To, string? Operation, string Path, double LabelX, double LabelY, double LabelWidth);

/// <summary>
/// The layout of one cell of a genotype, drawn as an arc diagram: the boxes c_{k-2}, c_{k-1}, the intermediate
/// nodes and c_{k} on one line; each operation is an arc above the line from its input to its node, labelled at
/// its apex; the concatenation into c_{k} runs below the line. Arcs grow with the distance they span, and a label
/// that would cover another is lifted until it does not, so every operation name stays readable.
/// </summary>
public sealed record CellDiagram(
    bool Reduction, double Width, double Height, IReadOnlyList<CellDiagramNode> Nodes, IReadOnlyList<CellDiagramEdge> Edges, string Description)
{
    public const double NodeWidth = 64;
    public const double NodeHeight = 32;
    public const double LabelHeight = 16;
    private const double Spacing = 128;
    private const double Margin = 16;
    private const double ArcBase = 26;
    private const double ArcPerSpan = 24;
    private const double LabelLift = 18;
    private const double ConcatBase = 12;
    private const double ConcatPerSpan = 10;
    private const double CharacterWidth = 6.8;

    public static CellDiagram Of(Genotype genotype, bool reduction)
    {
        IReadOnlyList<IReadOnlyList<Edge>> cell = genotype.Nodes(reduction);
        IReadOnlyList<int> concat = genotype.Concat(reduction);
        int output = cell.Count + 2;
        double X(int state) => Margin + NodeWidth / 2 + state * Spacing;

        // Arcs are computed around a line at y = 0 and shifted down once their highest label is known.
        var operations = cell.SelectMany((edges, node) => edges.Select(e => (From: e.Input, To: node + 2, Operation: e.Operation.Name()))).ToList();
        var startOffset = Offsets(operations.GroupBy(e => e.From), e => e.To - e.From, descendingSpan: true, 4, 28);
        var endOffset = Offsets(operations.GroupBy(e => e.To), e => e.To - e.From, descendingSpan: false, -28, -4);

        var placedLabels = new List<(double Left, double Top, double Right, double Bottom)>();
        var arcs = new List<(int From, int To, string Operation, double X1, double X2, double Apex, double LabelWidth)>();
        // Short arcs first: they sit lowest, so the long ones give way above them.
        foreach (var edge in operations.OrderBy(e => e.To - e.From).ThenBy(e => e.To))
        {
            double x1 = X(edge.From) + startOffset[edge], x2 = X(edge.To) + endOffset[edge];
            double labelWidth = edge.Operation.Length * CharacterWidth + 8;
            double apex = -(NodeHeight / 2 + ArcBase + (edge.To - edge.From - 1) * ArcPerSpan);
            double middle = (x1 + x2) / 2;
            while (placedLabels.Any(l => Overlaps(l, middle - labelWidth / 2, apex - LabelHeight / 2, middle + labelWidth / 2, apex + LabelHeight / 2)))
                apex -= LabelLift;
            placedLabels.Add((middle - labelWidth / 2, apex - LabelHeight / 2, middle + labelWidth / 2, apex + LabelHeight / 2));
            arcs.Add((edge.From, edge.To, edge.Operation, x1, x2, apex, labelWidth));
        }

        var concatEnds = Offsets(concat.Select(state => (From: state, To: output, Operation: "")).GroupBy(e => e.To), e => e.To - e.From, descendingSpan: false, -24, 24);
        double deepest = concat.Count == 0 ? 0 : concat.Max(state => ConcatDepth(output - state));
        double top = -placedLabels.Select(l => l.Top).DefaultIfEmpty(-NodeHeight / 2).Min() + Margin;
        double line = top;
        double height = line + NodeHeight / 2 + deepest + Margin;

        var nodes = new List<CellDiagramNode>
        {
            new(0, CellNodeKind.Input, "c", "k-2", X(0), line),
            new(1, CellNodeKind.Input, "c", "k-1", X(1), line),
        };
        for (int node = 0; node < cell.Count; node++)
            nodes.Add(new CellDiagramNode(node + 2, CellNodeKind.Intermediate, node.ToString(CultureInfo.InvariantCulture), null, X(node + 2), line));
        nodes.Add(new CellDiagramNode(output, CellNodeKind.Output, "c", "k", X(output), line));

        var edges = new List<CellDiagramEdge>();
        foreach (var arc in arcs.OrderBy(a => a.To).ThenBy(a => a.From))
        {
            double y0 = line - NodeHeight / 2, apex = line + arc.Apex;
            // A cubic Bezier whose control points sit 4/3 of the apex height up peaks exactly at the apex, halfway.
            double control = y0 + (apex - y0) * 4 / 3;
            edges.Add(new CellDiagramEdge(arc.From, arc.To, arc.Operation,
                $"M {N(arc.X1)} {N(y0)} C {N(arc.X1)} {N(control)}, {N(arc.X2)} {N(control)}, {N(arc.X2)} {N(y0)}",
                (arc.X1 + arc.X2) / 2, apex, arc.LabelWidth));
        }
        foreach (int state in concat)
        {
            double y0 = line + NodeHeight / 2, x1 = X(state), x2 = X(output) + concatEnds[(state, output, "")];
            double control = y0 + ConcatDepth(output - state) * 4 / 3;
            edges.Add(new CellDiagramEdge(state, output, null,
                $"M {N(x1)} {N(y0)} C {N(x1)} {N(control)}, {N(x2)} {N(control)}, {N(x2)} {N(y0)}", (x1 + x2) / 2, y0, 0));
        }

        double width = X(output) + NodeWidth / 2 + Margin;
        return new CellDiagram(reduction, width, height, nodes, edges, Describe(cell, concat, reduction));
    }

    /// <summary>The text name of a state: c_{k-2}, c_{k-1}, or the node number.</summary>
    public static string StateName(int state) => state switch
    {
        0 => "c_{k-2}",
        1 => "c_{k-1}",
        _ => (state - 2).ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>CSS class of an operation: convolutions, pools, identities and "none" look different.</summary>
    public static string OperationClass(string operation) => operation switch
    {
        _ when operation.Contains("conv", StringComparison.Ordinal) => "op-conv",
        _ when operation.Contains("pool", StringComparison.Ordinal) => "op-pool",
        "skip_connect" => "op-skip",
        _ => "op-other",
    };

    private static double ConcatDepth(int span) => ConcatBase + span * ConcatPerSpan;

    // Where arcs leave or reach a box, spread across [from, to] so arcs sharing a box nest instead of crossing:
    // leaving a box, the widest arc starts nearest the centre; reaching one, the widest arc ends nearest it.
    private static Dictionary<(int From, int To, string Operation), double> Offsets(
        IEnumerable<IGrouping<int, (int From, int To, string Operation)>> groups, Func<(int From, int To, string Operation), int> span,
        bool descendingSpan, double from, double to)
    {
        var offsets = new Dictionary<(int, int, string), double>();
        foreach (var group in groups)
        {
            var ordered = (descendingSpan ? group.OrderByDescending(span) : group.OrderBy(span)).ThenBy(e => e.From).ThenBy(e => e.To).ToList();
            for (int i = 0; i < ordered.Count; i++)
            {
                double offset = ordered.Count == 1 ? (from + to) / 2 : from + (to - from) * i / (ordered.Count - 1);
                offsets.TryAdd(ordered[i], offset);
            }
        }
        return offsets;
    }

    private static bool Overlaps((double Left, double Top, double Right, double Bottom) a, double left, double top, double right, double bottom) =>
        a.Left < right && left < a.Right && a.Top < bottom && top < a.Bottom;

    private static string Describe(IReadOnlyList<IReadOnlyList<Edge>> cell, IReadOnlyList<int> concat, bool reduction)
    {
        var nodes = cell.Select((edges, node) =>
            $"node {node} = {string.Join(" + ", edges.Select(e => $"{e.Operation.Name()}({StateName(e.Input)})"))}");
        return $"{(reduction ? "Reduction" : "Normal")} cell: {string.Join("; ", nodes)}; c_{{k}} = concat({string.Join(", ", concat.Select(StateName))}).";
    }

    private static string N(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}
