using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace PocketNet.Models.SearchSpace;

/// <summary>One edge of a cell: an operation applied to an earlier state (0 = s0, 1 = s1, 2.. = intermediate nodes).</summary>
public readonly record struct Edge(Primitive Operation, int Input);

/// <summary>
/// A discrete cell architecture as DARTS derives it: for each intermediate node the edges that feed it
/// (normal and reduction cells separately) and which nodes are concatenated into the cell's output.
/// Reads and writes the reference implementation's text form
/// <c>Genotype(normal=[[('dw_conv_3x3', 0), ...], ...], normal_concat=range(2, 6), reduce=..., reduce_concat=range(2, 6))</c>.
/// </summary>
public sealed partial record Genotype(
    IReadOnlyList<IReadOnlyList<Edge>> Normal,
    IReadOnlyList<int> NormalConcat,
    IReadOnlyList<IReadOnlyList<Edge>> Reduce,
    IReadOnlyList<int> ReduceConcat)
{
    /// <summary>PocketNet's cells, found by DARTS on CASIA-WebFace ("softmax_casia" in the reference).</summary>
    public static Genotype PocketNet { get; } = Parse(
        "Genotype(normal=[[('dw_conv_3x3', 0), ('dw_conv_1x1', 1)], [('dw_conv_3x3', 2), ('dw_conv_5x5', 0)], " +
        "[('dw_conv_3x3', 3), ('dw_conv_3x3', 0)], [('dw_conv_3x3', 4), ('skip_connect', 0)]], normal_concat=range(2, 6), " +
        "reduce=[[('dw_conv_3x3', 1), ('dw_conv_7x7', 0)], [('skip_connect', 2), ('dw_conv_5x5', 1)], " +
        "[('max_pool_3x3', 0), ('skip_connect', 2)], [('max_pool_3x3', 0), ('max_pool_3x3', 1)]], reduce_concat=range(2, 6))");

    public IReadOnlyList<IReadOnlyList<Edge>> Nodes(bool reduction) => reduction ? Reduce : Normal;

    public IReadOnlyList<int> Concat(bool reduction) => reduction ? ReduceConcat : NormalConcat;

    /// <summary>Parses the reference's text form (concat may be <c>range(a, b)</c> or a list).</summary>
    public static Genotype Parse(string text)
    {
        try
        {
            var genotype = new Genotype(
                ParseNodes(Field(text, "normal")), ParseConcat(Field(text, "normal_concat")),
                ParseNodes(Field(text, "reduce")), ParseConcat(Field(text, "reduce_concat")));
            genotype.Validate();
            return genotype;
        }
        catch (FormatException e)
        {
            throw new FormatException($"not a genotype: {e.Message} (in \"{Abbreviate(text)}\")", e);
        }
    }

    /// <summary>Every edge reads a state that exists before its node, and the concatenation names real nodes.</summary>
    public void Validate()
    {
        foreach (bool reduction in new[] { false, true })
        {
            var nodes = Nodes(reduction);
            if (nodes.Count == 0) throw new FormatException($"the {(reduction ? "reduce" : "normal")} cell has no nodes");
            for (int node = 0; node < nodes.Count; node++)
            {
                if (nodes[node].Count == 0) throw new FormatException($"node {node + 2} has no incoming edge");
                foreach (Edge edge in nodes[node])
                    if (edge.Input < 0 || edge.Input >= node + 2)
                        throw new FormatException($"node {node + 2} reads state {edge.Input}, which does not exist before it");
            }
            foreach (int index in Concat(reduction))
                if (index < 0 || index >= nodes.Count + 2)
                    throw new FormatException($"concat names state {index}, but the cell has states 0..{nodes.Count + 1}");
        }
    }

    /// <summary>The reference's text form, which <see cref="Parse"/> reads back.</summary>
    public override string ToString()
    {
        var text = new StringBuilder("Genotype(normal=");
        AppendNodes(text, Normal);
        text.Append(", normal_concat=").Append(FormatConcat(NormalConcat)).Append(", reduce=");
        AppendNodes(text, Reduce);
        return text.Append(", reduce_concat=").Append(FormatConcat(ReduceConcat)).Append(')').ToString();
    }

    public bool Equals(Genotype? other) => other is not null && ToString() == other.ToString();

    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);

    private static void AppendNodes(StringBuilder text, IReadOnlyList<IReadOnlyList<Edge>> nodes) =>
        text.Append('[').AppendJoin(", ", nodes.Select(edges =>
            "[" + string.Join(", ", edges.Select(e => $"('{e.Operation.Name()}', {e.Input})")) + "]")).Append(']');

    private static string FormatConcat(IReadOnlyList<int> concat)
    {
        bool contiguous = concat.Count > 0 && concat.Select((v, i) => v == concat[0] + i).All(x => x);
        return contiguous ? $"range({concat[0]}, {concat[^1] + 1})" : "[" + string.Join(", ", concat) + "]";
    }

    // The value of `name=` up to the next top-level comma or the closing parenthesis.
    private static string Field(string text, string name)
    {
        Match match = Regex.Match(text, $@"\b{name}\s*=");
        if (!match.Success) throw new FormatException($"'{name}=' is missing");
        int depth = 0, start = match.Index + match.Length;
        for (int i = start; i < text.Length; i++)
        {
            char c = text[i];
            if (c is '[' or '(') depth++;
            else if (c is ']' or ')')
            {
                if (depth == 0) return text[start..i].Trim();
                depth--;
            }
            else if (c == ',' && depth == 0) return text[start..i].Trim();
        }
        throw new FormatException($"the value of '{name}' is not closed");
    }

    private static IReadOnlyList<IReadOnlyList<Edge>> ParseNodes(string value)
    {
        if (!value.StartsWith("[[", StringComparison.Ordinal) || !value.EndsWith("]]", StringComparison.Ordinal))
            throw new FormatException("a cell must be a list of lists of (operation, input) pairs");
        var nodes = new List<IReadOnlyList<Edge>>();
        foreach (string node in value[2..^2].Split("],", StringSplitOptions.TrimEntries))
        {
            if (nodes.Count == MaxNodes) throw new FormatException($"a cell has more than {MaxNodes} nodes");
            var edges = EdgePattern().Matches(node)
                .Select(m => new Edge(Primitives.Parse(m.Groups[1].Value), State(m.Groups[2].Value)))
                .ToList();
            if (edges.Count == 0) throw new FormatException($"no (operation, input) pair in '{Abbreviate(node)}'");
            if (edges.Count > MaxEdgesPerNode) throw new FormatException($"node {nodes.Count + 2} has {edges.Count} incoming edges; at most {MaxEdgesPerNode}");
            nodes.Add(edges);
        }
        return nodes;
    }

    private static IReadOnlyList<int> ParseConcat(string value)
    {
        Match range = Regex.Match(value, @"^range\(\s*(\d+)\s*,\s*(\d+)\s*\)$");
        if (range.Success)
        {
            int start = State(range.Groups[1].Value), end = State(range.Groups[2].Value, allowEnd: true);
            return Enumerable.Range(start, Math.Max(0, end - start)).ToList();
        }
        Match list = Regex.Match(value, @"^\[([\d\s,]*)\]$");
        if (!list.Success) throw new FormatException($"concat '{value}' is neither range(a, b) nor a list of integers");
        return list.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => State(s)).ToList();
    }

    /// <summary>More nodes than any cell of the search space has: a bound, so text cannot ask for a cell of any size.</summary>
    public const int MaxNodes = 32;

    /// <summary>Incoming edges of one node: DARTS keeps two; a bound for the same reason as <see cref="MaxNodes"/>.</summary>
    public const int MaxEdgesPerNode = 8;

    // A state index as the text gives it: digits that name a state a cell of at most MaxNodes nodes can have
    // (inputs 0 and 1, then the nodes), or one past the last for range's end. Larger numbers are refused here,
    // before they overflow an int or ask Enumerable.Range for billions of indices.
    private static int State(string digits, bool allowEnd = false)
    {
        int limit = MaxNodes + 2 + (allowEnd ? 1 : 0);
        if (digits.Length > 9 || !int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value >= limit)
            throw new FormatException($"state {Abbreviate(digits)} is out of range (a cell has at most {MaxNodes} nodes)");
        return value;
    }

    private static string Abbreviate(string text) => text.Length <= 80 ? text : text[..77] + "...";

    [GeneratedRegex(@"\(\s*'([a-z0-9_]+)'\s*,\s*(\d+)\s*\)")]
    private static partial Regex EdgePattern();
}
