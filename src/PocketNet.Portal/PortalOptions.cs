using PocketNet.Data.Registry;
using PocketNet.Onnx.Runtime;

namespace PocketNet.Portal;

/// <summary>
/// Settings of the portal (section "Portal" of appsettings.json, or Portal__X environment variables).
/// Everything the portal writes lives under <see cref="Home"/>: the SQLite store, run folders, registered models
/// and uploads; nothing outside it is ever deleted.
/// </summary>
public sealed class PortalOptions
{
    public const string Section = "Portal";

    /// <summary>Folder for portal.db, runs/, models/ and uploads/; default data/portal of the repository.</summary>
    public string? Home { get; set; }

    /// <summary>The benchmark registry file; default data/benchmarks.json of the repository.</summary>
    public string? Registry { get; set; }

    /// <summary>Root of the real benchmarks (default $POCKETNET_DATA, else the repository's data/).</summary>
    public string? DataRoot { get; set; }

    /// <summary>Root of the SynthFaces demo data (default $POCKETNET_SYNTH_DATA, else data/synth).</summary>
    public string? SynthRoot { get; set; }

    /// <summary>"sqlite" (embedded, default) or "postgres" (several hosts sharing one store).</summary>
    public string Database { get; set; } = "sqlite";

    /// <summary>Connection string; default a SQLite file portal.db under <see cref="Home"/>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Jobs that may run at the same time on one device (cpu, cuda:0, ...).</summary>
    public int JobsPerDevice { get; set; } = 1;

    /// <summary>
    /// The pocketnet CLI (pocketnet.dll, started with dotnet, or an executable) whose launcher starts the processes of a
    /// training job that asks for several; default the pocketnet.dll built next to the portal.
    /// </summary>
    public string? Cli { get; set; }

    /// <summary>Largest accepted upload of an external ONNX model, in MiB.</summary>
    public int MaxUploadMegabytes { get; set; } = 256;

    public const int DefaultMaxEmbedding = 512;

    /// <summary>The longest embedding an uploaded ONNX model may output (the recognition challenge's 512 by default).</summary>
    public int MaxEmbedding { get; set; } = DefaultMaxEmbedding;

    /// <summary>Training sets offered by the new-run form, besides SynthFaces (which is always offered when generated).</summary>
    public List<TrainingSetOption> TrainingSets { get; set; } = [];

    /// <summary>The admin's password; when empty, one is generated at first start and kept in Home/admin-password.</summary>
    public string? AdminPassword { get; set; }

    /// <summary>API keys accepted in the X-Api-Key header for state-changing endpoints.</summary>
    public List<string> ApiKeys { get; set; } = [];

    /// <summary>Sign-in posts one client address may make per minute; more are answered 429.</summary>
    public int SignInAttemptsPerMinute { get; set; } = 5;

    /// <summary>Wrong API keys one client address may send before it is locked out (then one more every <see cref="ApiKeyRefillSeconds"/>).</summary>
    public int ApiKeyFailuresAllowed { get; set; } = 10;

    /// <summary>Seconds after which a locked-out address may try one more API key.</summary>
    public double ApiKeyRefillSeconds { get; set; } = 6;

    /// <summary>Register and evaluate the random-weights floor of the synthetic leaderboard at start-up (RandomBaseline).</summary>
    public bool RandomBaseline { get; set; } = true;

    /// <summary>
    /// ONNX Runtime's session options for evaluations through it (Portal:OnnxRuntime:IntraOpThreads, :OptimizationLevel
    /// All/Extended/Basic/Disabled, :ProfileOutputPrefix); the provider follows the job's device.
    /// </summary>
    public OnnxSessionOptions OnnxRuntime { get; set; } = new();

    public string ResolveHome() =>
        Path.GetFullPath(Home ?? Path.Combine(BenchmarkRoots.FindRepositoryDataFolder() ?? Path.GetFullPath("data"), "portal"));

    public BenchmarkRoots ResolveRoots() => BenchmarkRoots.Resolve(DataRoot, SynthRoot);
}

/// <summary>A training set by name, as configured: format (recordio or folder) and path; synthetic data is labelled so.</summary>
public sealed class TrainingSetOption
{
    public string Name { get; set; } = "";
    public string Format { get; set; } = "recordio";
    public string Path { get; set; } = "";
    public bool Synthetic { get; set; }
}
