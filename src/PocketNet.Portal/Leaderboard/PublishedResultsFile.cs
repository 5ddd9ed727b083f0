using System.Text.Json;

namespace PocketNet.Portal.Leaderboard;

/// <summary>
/// data/published-results.json as written: version 1 (values only) or version 2 (each value names its metric as its
/// source does and may carry a note; each row has a source link, a note, and results the registry has no column for).
/// <see cref="Read"/> checks everything the store and the pages rely on and names the file and the row in every refusal.
/// </summary>
public sealed record PublishedResultsFile(int Version, string? Note, List<PublishedModel>? Models)
{
    public const int NewestVersion = 2;

    /// <summary>The longest metric label the store keeps (Results.Metric).</summary>
    public const int MaxMetricLength = 64;

    public static PublishedResultsFile Read(string path, ISet<string> benchmarks)
    {
        PublishedResultsFile? file;
        try
        {
            file = JsonSerializer.Deserialize<PublishedResultsFile>(File.ReadAllText(path), Store.StoreJson.Options);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a valid published-results file: {e.Message}", e);
        }
        if (file is null) throw new InvalidDataException($"{path} is empty");
        if (file.Version is < 1 or > NewestVersion)
            throw new InvalidDataException($"{path}: version {file.Version} is not one this portal reads (1 to {NewestVersion})");
        var names = new HashSet<string>();
        foreach (PublishedModel model in file.Models ?? throw new InvalidDataException($"{path}: no \"models\" list"))
        {
            model.Check(path, file.Version, benchmarks);
            if (!names.Add(model.Name!)) throw new InvalidDataException($"{path}: two rows are named '{model.Name}'");
        }
        return file;
    }
}

/// <summary>One reference row of the file. Counts as the source gives them: parameters a count, MFLOPs at two FLOPs per multiply-add.</summary>
public sealed record PublishedModel(
    string? Name, string? DisplayName, string? Architecture, int? EmbeddingSize, long? Parameters, double? MegaFlops,
    string? TrainingMode, string? TrainingData, string? Source, string? SourceUrl, string? Note,
    Dictionary<string, PublishedValue>? Results, List<UnlistedPublishedResult>? OtherResults, double? MegaMacs = null)
{
    internal void Check(string path, int version, ISet<string> benchmarks)
    {
        if (string.IsNullOrWhiteSpace(Name)) throw new InvalidDataException($"{path}: a row has no \"name\"");
        string row = $"{path}: row '{Name}'";
        Require(DisplayName, "display_name");
        Require(Architecture, "architecture");
        Require(Source, "source");
        if (Parameters is not > 0) throw new InvalidDataException($"{row}: \"parameters\" must be a positive count");
        if (MegaFlops is <= 0) throw new InvalidDataException($"{row}: \"mega_flops\" must be positive when given");
        if (MegaMacs is <= 0) throw new InvalidDataException($"{row}: \"mega_macs\" must be positive when given");
        if (version >= 2)
        {
            Require(SourceUrl, "source_url");
            if (!Uri.TryCreate(SourceUrl, UriKind.Absolute, out Uri? link) || (link.Scheme != Uri.UriSchemeHttps && link.Scheme != Uri.UriSchemeHttp))
                throw new InvalidDataException($"{row}: \"source_url\" '{SourceUrl}' is not an http(s) link");
        }
        if (Results is not { Count: > 0 }) throw new InvalidDataException($"{row}: no \"results\"");
        foreach (var (benchmark, value) in Results)
        {
            if (!benchmarks.Contains(benchmark))
                throw new InvalidDataException($"{row} names unknown benchmark '{benchmark}' (known: {string.Join(", ", benchmarks.Order())})");
            value.Check($"{row}, {benchmark}", version);
        }
        foreach (UnlistedPublishedResult other in OtherResults ?? [])
            other.Check(row);

        void Require(string? text, string field)
        {
            if (string.IsNullOrWhiteSpace(text)) throw new InvalidDataException($"{row}: \"{field}\" is missing");
        }
    }
}

/// <summary>A published value in percent, with the metric as its source names it (version 2).</summary>
public sealed record PublishedValue(double? Value, double? Std, string? Metric, string? Note)
{
    internal void Check(string where, int version)
    {
        if (Value is not (>= 0 and <= 100)) throw new InvalidDataException($"{where}: \"value\" must be a percentage from 0 to 100, not {Value?.ToString() ?? "missing"}");
        if (Std is < 0 or > 100) throw new InvalidDataException($"{where}: \"std\" must be a percentage from 0 to 100");
        if (version >= 2 && string.IsNullOrWhiteSpace(Metric)) throw new InvalidDataException($"{where}: \"metric\" is missing (version 2 names every value's metric)");
        if (Metric?.Length > PublishedResultsFile.MaxMetricLength)
            throw new InvalidDataException($"{where}: \"metric\" is longer than {PublishedResultsFile.MaxMetricLength} characters; move the detail into \"note\"");
    }
}

/// <summary>A published number on a benchmark or protocol the registry has no column for (e.g. MegaFace's original lists).</summary>
public sealed record UnlistedPublishedResult(string? Benchmark, string? Metric, double? Value, string? Note)
{
    internal void Check(string row)
    {
        if (string.IsNullOrWhiteSpace(Benchmark) || string.IsNullOrWhiteSpace(Metric))
            throw new InvalidDataException($"{row}: an entry of \"other_results\" lacks \"benchmark\" or \"metric\"");
        if (Value is not (>= 0 and <= 100)) throw new InvalidDataException($"{row}, {Benchmark}: \"value\" must be a percentage from 0 to 100");
    }

    /// <summary>"MegaFace challenge 1, original lists, TAR at FAR=1e-6, verification: 90.54 %".</summary>
    public override string ToString() =>
        FormattableString.Invariant($"{Benchmark}, {Metric}: {Value:0.###} %{(Note is null ? "" : $" ({Note})")}");
}
