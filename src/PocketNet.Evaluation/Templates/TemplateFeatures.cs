namespace PocketNet.Evaluation.Templates;

/// <summary>
/// One L2-normalised feature per template, stored row-major in ascending template-id order (the order of
/// numpy's <c>np.unique(templates)</c> in the reference), with a fast id-to-row lookup.
/// </summary>
public sealed class TemplateFeatures
{
    private readonly int[] _ids;
    private readonly float[] _features;
    // Dense id -> row table when the ids are compact enough (IJB ids are), else a dictionary.
    private readonly int[]? _denseRows;
    private readonly int _denseOffset;
    private readonly Dictionary<int, int>? _rows;

    /// <summary>
    /// Wraps template features given row-major (<paramref name="templateIds"/>.Length rows of
    /// <paramref name="dimension"/> values). Ids must be distinct; rows are reordered by id. With
    /// <paramref name="normalize"/> each row is scaled to unit L2 norm (an all-zero row stays zero, as
    /// sklearn.preprocessing.normalize leaves it).
    /// </summary>
    public TemplateFeatures(int[] templateIds, float[] features, int dimension, bool normalize = true)
    {
        ArgumentNullException.ThrowIfNull(templateIds);
        ArgumentNullException.ThrowIfNull(features);
        if (dimension <= 0) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "must be positive");
        if ((long)templateIds.Length * dimension != features.Length)
            throw new ArgumentException($"{features.Length} values are not {templateIds.Length} templates of {dimension}");

        int count = templateIds.Length;
        var order = Enumerable.Range(0, count).ToArray();
        var ids = (int[])templateIds.Clone();
        Array.Sort(ids, order);
        for (int i = 1; i < count; i++)
            if (ids[i] == ids[i - 1]) throw new ArgumentException($"template id {ids[i]} appears twice");

        var sorted = new float[features.Length];
        for (int i = 0; i < count; i++)
        {
            var row = sorted.AsSpan(i * dimension, dimension);
            features.AsSpan(order[i] * dimension, dimension).CopyTo(row);
            if (normalize) Normalize(row);
        }

        _ids = ids;
        _features = sorted;
        Dimension = dimension;
        if (count > 0)
        {
            long span = (long)ids[^1] - ids[0] + 1;
            if (span <= 4L * count + (1 << 20))
            {
                _denseOffset = ids[0];
                _denseRows = new int[span];
                Array.Fill(_denseRows, -1);
                for (int i = 0; i < count; i++) _denseRows[ids[i] - _denseOffset] = i;
            }
            else
            {
                _rows = new Dictionary<int, int>(count);
                for (int i = 0; i < count; i++) _rows[ids[i]] = i;
            }
        }
    }

    /// <summary>Feature length.</summary>
    public int Dimension { get; }

    /// <summary>Number of templates.</summary>
    public int Count => _ids.Length;

    /// <summary>Template ids, ascending; row i holds the feature of TemplateIds[i].</summary>
    public IReadOnlyList<int> TemplateIds => _ids;

    /// <summary>The normalised feature of row <paramref name="row"/>.</summary>
    public ReadOnlySpan<float> Feature(int row) => _features.AsSpan(row * Dimension, Dimension);

    /// <summary>All rows, row-major.</summary>
    public ReadOnlySpan<float> AllFeatures => _features;

    /// <summary>The row of <paramref name="templateId"/>, or -1 when there is no such template.</summary>
    public int RowOf(int templateId)
    {
        if (_denseRows is not null)
        {
            long slot = (long)templateId - _denseOffset;
            return slot >= 0 && slot < _denseRows.Length ? _denseRows[slot] : -1;
        }
        return _rows is not null && _rows.TryGetValue(templateId, out int row) ? row : -1;
    }

    internal float[] Data => _features;

    /// <summary>Scales <paramref name="row"/> to unit L2 norm (computed in double); a zero row is left as is.</summary>
    internal static void Normalize(Span<float> row)
    {
        double sum = 0;
        foreach (float v in row) sum += (double)v * v;
        double norm = Math.Sqrt(sum);
        if (norm == 0) return;
        for (int k = 0; k < row.Length; k++) row[k] = (float)(row[k] / norm);
    }
}
