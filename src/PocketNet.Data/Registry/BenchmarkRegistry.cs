using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using PocketNet.Data.Ijb;
using PocketNet.Data.Imaging;
using PocketNet.Data.MegaFace;
using PocketNet.Data.Pairs;

namespace PocketNet.Data.Registry;

/// <summary>
/// The benchmark registry (data/benchmarks.json): the nine real benchmarks in their published formats and the
/// SynthFaces stand-ins, with where their files lie and what counts they are published with. Loading
/// validates the file (errors name it and the entry); <see cref="Check"/> reports whether a benchmark is
/// present and readable, for the portal's datasets page and the CLI.
/// </summary>
public sealed partial class BenchmarkRegistry
{
    /// <summary>The registry format this code reads.</summary>
    public const int FormatVersion = 1;

    private static readonly Dictionary<BenchmarkProtocol, string> FormatOf = new()
    {
        [BenchmarkProtocol.Pairs] = "insightface-bin",
        [BenchmarkProtocol.Ijb] = "ijb",
        [BenchmarkProtocol.MegaFace] = "megaface",
    };

    private readonly Dictionary<string, BenchmarkEntry> _byName;

    private BenchmarkRegistry(string source, BenchmarkRoots roots, IReadOnlyList<BenchmarkEntry> benchmarks)
    {
        Source = source;
        Roots = roots;
        Benchmarks = benchmarks;
        _byName = benchmarks.ToDictionary(b => b.Name, StringComparer.Ordinal);
    }

    /// <summary>The registry file (or "(text)" when parsed from a string).</summary>
    public string Source { get; }

    public BenchmarkRoots Roots { get; }

    /// <summary>All entries, in file order.</summary>
    public IReadOnlyList<BenchmarkEntry> Benchmarks { get; }

    /// <summary>
    /// Loads <paramref name="registryPath"/> (default: data/benchmarks.json of the repository, see
    /// <see cref="BenchmarkRoots.FindRepositoryDataFolder"/>), resolving paths against <paramref name="roots"/>
    /// (default <see cref="BenchmarkRoots.Resolve"/>).
    /// </summary>
    public static BenchmarkRegistry Load(string? registryPath = null, BenchmarkRoots? roots = null)
    {
        registryPath ??= BenchmarkRoots.FindRepositoryDataFolder() is { } folder
            ? Path.Combine(folder, BenchmarkRoots.RegistryFileName)
            : throw new FileNotFoundException($"no data/{BenchmarkRoots.RegistryFileName} found above {Environment.CurrentDirectory} or {AppContext.BaseDirectory}");
        if (!File.Exists(registryPath)) throw new FileNotFoundException($"benchmark registry {registryPath} does not exist", registryPath);
        return Parse(File.ReadAllText(registryPath), Path.GetFullPath(registryPath), roots ?? BenchmarkRoots.Resolve());
    }

    /// <summary>Parses and validates registry JSON; <paramref name="source"/> names it in errors.</summary>
    public static BenchmarkRegistry Parse(string json, string source, BenchmarkRoots roots)
    {
        ArgumentNullException.ThrowIfNull(roots);
        RegistryFile? file;
        try
        {
            file = JsonSerializer.Deserialize<RegistryFile>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: not a valid benchmark registry: {e.Message}", e);
        }
        if (file is null) throw new InvalidDataException($"{source}: the registry is empty");
        if (file.Version != FormatVersion) throw new InvalidDataException($"{source}: registry version {file.Version}, this build reads version {FormatVersion}");
        if (file.Benchmarks is null || file.Benchmarks.Count == 0) throw new InvalidDataException($"{source}: \"benchmarks\" is missing or empty");

        var entries = new List<BenchmarkEntry>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < file.Benchmarks.Count; i++)
        {
            BenchmarkEntry entry = Validate(file.Benchmarks[i], i, source);
            if (!names.Add(entry.Name)) throw new InvalidDataException($"{source}: benchmarks[{i}]: the name '{entry.Name}' is used twice");
            entries.Add(entry);
        }
        foreach (var entry in entries)
            if (entry.StandsInFor is { } real && !names.Contains(real))
                throw new InvalidDataException($"{source}: benchmark '{entry.Name}' stands in for '{real}', which is not in the registry");
        return new BenchmarkRegistry(source, roots, entries);
    }

    /// <summary>
    /// This registry plus one pair benchmark for each <c>.bin</c> file among <paramref name="namesOrPaths"/>, named by
    /// its full path: a pair set of one's own evaluates by the same protocol as LFW. It counts as synthetic when its
    /// folder holds SynthFaces' <c>SYNTHETIC</c> marker. Errors name the file.
    /// </summary>
    public BenchmarkRegistry WithPairFiles(IEnumerable<string> namesOrPaths)
    {
        var added = new List<BenchmarkEntry>();
        foreach (string item in namesOrPaths.Where(n => n.EndsWith(".bin", StringComparison.OrdinalIgnoreCase) && !_byName.ContainsKey(n)))
        {
            string path = System.IO.Path.GetFullPath(item);
            if (!File.Exists(path)) throw new FileNotFoundException($"pair set {path} does not exist", path);
            bool synthetic = File.Exists(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(path)!, "SYNTHETIC"));
            added.Add(new BenchmarkEntry(item, System.IO.Path.GetFileNameWithoutExtension(path), BenchmarkProtocol.Pairs, FormatOf[BenchmarkProtocol.Pairs],
                path, synthetic, [path], [], null, null, $"pair set file {path}"));
        }
        return added.Count == 0 ? this : new BenchmarkRegistry(Source, Roots, [.. Benchmarks, .. added]);
    }

    public BenchmarkEntry Get(string name) =>
        _byName.TryGetValue(name, out var entry) ? entry
            : throw new KeyNotFoundException($"no benchmark '{name}' in {Source} (known: {string.Join(", ", _byName.Keys)})");

    public bool TryGet(string name, out BenchmarkEntry entry) => _byName.TryGetValue(name, out entry!);

    /// <summary>The entry's main path, absolute.</summary>
    public string ResolvePath(BenchmarkEntry entry) => Roots.Resolve(entry, entry.Path);

    /// <summary>
    /// Checks one benchmark: expected files present, then (unless <paramref name="openData"/> is false) the data
    /// opened with its reader and counted, one image decoded; counts that differ from the published ones are
    /// warnings. Never throws for a bad dataset: problems come back in the status.
    /// </summary>
    public BenchmarkStatus Check(BenchmarkEntry entry, bool openData = true)
    {
        string path = ResolvePath(entry);
        var missing = new List<string>();
        foreach (string expected in entry.ExpectedFiles)
        {
            string resolved = Roots.Resolve(entry, expected);
            bool folder = expected.EndsWith('/') || expected.EndsWith('\\');
            if (folder ? !Directory.Exists(resolved) : !File.Exists(resolved)) missing.Add(expected);
        }
        bool present = File.Exists(path) || Directory.Exists(path);
        BenchmarkStatus Status(BenchmarkState state, BenchmarkCounts? found = null, IReadOnlyList<string>? warnings = null, string? error = null) =>
            new(entry.Name, entry.DisplayName, entry.Protocol, entry.IsSynthetic, path, state, missing, found, entry.Published, warnings ?? [], error);

        if (!present) return Status(BenchmarkState.Missing);
        if (missing.Count > 0) return Status(BenchmarkState.Incomplete);
        if (!openData) return Status(BenchmarkState.Ready);
        try
        {
            BenchmarkCounts found = entry.Protocol switch
            {
                BenchmarkProtocol.Pairs => CountPairSet(path),
                BenchmarkProtocol.Ijb => CountIjb(path),
                _ => CountMegaFace(path),
            };
            return Status(BenchmarkState.Ready, found, Compare(found, entry.Published));
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException)
        {
            return Status(BenchmarkState.Unreadable, error: e.Message);
        }
    }

    /// <summary>Checks every benchmark (in parallel: IJB-C's metadata takes seconds to read).</summary>
    public IReadOnlyList<BenchmarkStatus> CheckAll(bool openData = true)
    {
        var statuses = new BenchmarkStatus[Benchmarks.Count];
        Parallel.For(0, statuses.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => statuses[i] = Check(Benchmarks[i], openData));
        return statuses;
    }

    // ---- counting ---------------------------------------------------------------------------------

    private static BenchmarkCounts CountPairSet(string path)
    {
        BinPairSetContents contents = BinPairSetReader.ReadEncoded(path);
        if (contents.Images.Count > 0) CheckDecodes(contents.Images[0], BinPairSetReader.DescribeImage(path, 0), 112);
        return new BenchmarkCounts(Pairs: contents.PairCount, Images: contents.Images.Count);
    }

    private static BenchmarkCounts CountIjb(string path)
    {
        IjbDataset set = IjbDataset.Open(path);
        set.LoadImage(0); // the first loose crop exists and decodes
        return new BenchmarkCounts(Pairs: set.Pairs.Count, Images: set.Count, Templates: set.TemplateCount, GenuinePairs: set.Pairs.GenuineCount);
    }

    private static BenchmarkCounts CountMegaFace(string path)
    {
        MegaFaceDataset set = MegaFaceDataset.Open(path);
        var buffer = new float[3 * 112 * 112];
        set.ProbeImages.ReadImage(0, buffer);
        set.DistractorImages.ReadImage(0, buffer);
        return new BenchmarkCounts(Images: set.Probes.Count, Identities: set.ProbeIdentityCount, Distractors: set.Distractors.Count);
    }

    private static void CheckDecodes(byte[] encoded, string source, int size)
    {
        ImageInfo info = ImageDecoder.Identify(encoded, source);
        if (info.Width != size || info.Height != size)
            throw new InvalidDataException($"{source}: image is {info.Width}x{info.Height}, expected {size}x{size}");
        ImageDecoder.Decode(encoded, source);
    }

    private static List<string> Compare(BenchmarkCounts found, BenchmarkCounts? published)
    {
        var warnings = new List<string>();
        if (published is null) return warnings;
        void One(string what, int? have, int? want)
        {
            if (have is int h && want is int w && h != w) warnings.Add($"{h:N0} {what} found, {w:N0} published");
        }
        One("pairs", found.Pairs, published.Pairs);
        One("genuine pairs", found.GenuinePairs, published.GenuinePairs);
        One("images", found.Images, published.Images);
        One("templates", found.Templates, published.Templates);
        One("identities", found.Identities, published.Identities);
        One("distractors", found.Distractors, published.Distractors);
        return warnings;
    }

    // ---- the file ---------------------------------------------------------------------------------

    private static BenchmarkEntry Validate(EntryDto? dto, int index, string source)
    {
        string where = $"{source}: benchmarks[{index}]";
        if (dto is null) throw new InvalidDataException($"{where} is null");
        if (string.IsNullOrWhiteSpace(dto.Name) || !NamePattern().IsMatch(dto.Name))
            throw new InvalidDataException($"{where}: \"name\" '{dto.Name}' must be lower-case letters, digits and '_'");
        where = $"{source}: benchmark '{dto.Name}'";
        if (string.IsNullOrWhiteSpace(dto.DisplayName)) throw new InvalidDataException($"{where}: \"display_name\" is required");
        BenchmarkProtocol protocol = dto.Protocol?.ToLowerInvariant() switch
        {
            "pairs" => BenchmarkProtocol.Pairs,
            "ijb" => BenchmarkProtocol.Ijb,
            "megaface" => BenchmarkProtocol.MegaFace,
            var other => throw new InvalidDataException($"{where}: \"protocol\" '{other}' is not one of pairs, ijb, megaface"),
        };
        if (!string.Equals(dto.Format, FormatOf[protocol], StringComparison.Ordinal))
            throw new InvalidDataException($"{where}: \"format\" '{dto.Format}' does not fit protocol {dto.Protocol} (expected '{FormatOf[protocol]}')");
        if (string.IsNullOrWhiteSpace(dto.Path)) throw new InvalidDataException($"{where}: \"path\" is required");
        if (dto.ExpectedFiles is null || dto.ExpectedFiles.Count == 0 || dto.ExpectedFiles.Any(string.IsNullOrWhiteSpace))
            throw new InvalidDataException($"{where}: \"expected_files\" must list at least one file, none empty");
        if (dto.Synthetic && dto.Published is not null)
            throw new InvalidDataException($"{where}: a synthetic benchmark has no published counts (its counts come from the generator)");
        BenchmarkCounts? published = dto.Published;
        if (published is not null)
            foreach (var (name, value) in new[] { ("pairs", published.Pairs), ("images", published.Images), ("templates", published.Templates),
                         ("genuine_pairs", published.GenuinePairs), ("identities", published.Identities), ("distractors", published.Distractors) })
                if (value is <= 0) throw new InvalidDataException($"{where}: published {name} must be positive, got {value}");
        if (dto.StandsInFor is not null && !dto.Synthetic)
            throw new InvalidDataException($"{where}: only a synthetic benchmark can stand in for another");
        return new BenchmarkEntry(dto.Name, dto.DisplayName, protocol, dto.Format!, dto.Path, dto.Synthetic, dto.ExpectedFiles,
            dto.OptionalFiles ?? [], published is { IsEmpty: false } ? published : null, dto.StandsInFor, dto.Description);
    }

    [GeneratedRegex("^[a-z0-9_]+$")]
    private static partial Regex NamePattern();

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    };

    private sealed class RegistryFile
    {
        public int Version { get; set; }
        public List<EntryDto?>? Benchmarks { get; set; }
    }

    private sealed class EntryDto
    {
        public string? Name { get; set; }
        public string? DisplayName { get; set; }
        public string? Protocol { get; set; }
        public string? Format { get; set; }
        public string? Path { get; set; }
        public bool Synthetic { get; set; }
        public List<string>? ExpectedFiles { get; set; }
        public List<string>? OptionalFiles { get; set; }
        public BenchmarkCounts? Published { get; set; }
        public string? StandsInFor { get; set; }
        public string? Description { get; set; }
    }
}
