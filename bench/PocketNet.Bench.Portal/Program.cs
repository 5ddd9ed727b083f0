using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using PocketNet.Bench.Portal;
using PocketNet.Bench.Support;
using PocketNet.Data.Synth;

// pocketnet-bench-portal [--readers 50] [--live 20] [--seconds 30] [--json PATH]
// Starts the real portal on 127.0.0.1 (a free port, a temporary home, tiny SynthFaces data), queues a tiny training
// run, and while it runs measures readers of /, /leaderboard and /api/leaderboard and live-dashboard connections.
var options = new Dictionary<string, string> { ["--readers"] = "50", ["--live"] = "20", ["--seconds"] = "30", ["--json"] = RepoPaths.ResultFile("portal") };
for (int i = 0; i < args.Length; i += 2)
{
    if (!options.ContainsKey(args[i]) || i + 1 >= args.Length)
    {
        Console.Error.WriteLine($"error: unknown option or missing value: {args[i]}\nusage: pocketnet-bench-portal [--readers N] [--live N] [--seconds S] [--json PATH]");
        return 2;
    }
    options[args[i]] = args[i + 1];
}
int readers = int.Parse(options["--readers"], CultureInfo.InvariantCulture);
int live = int.Parse(options["--live"], CultureInfo.InvariantCulture);
int seconds = int.Parse(options["--seconds"], CultureInfo.InvariantCulture);
if (readers is < 1 or > 500 || live is < 0 or > 500 || seconds is < 1 or > 600)
{
    Console.Error.WriteLine("error: --readers 1..500, --live 0..500, --seconds 1..600 (the load stays bounded)");
    return 2;
}

MachineInfo machine = MachineInfo.Collect();
Console.WriteLine($"pocketnet-bench-portal: {readers} readers of {string.Join(", ", LoadRun.Paths)}, {live} live connections, {seconds} s, loopback");
Console.WriteLine($"machine: {machine.Describe()}; load average {machine.LoadAverage}");
if (machine.BusyWarning is { } busy) Console.WriteLine(busy);

using var synth = new TemporarySynthData();
await using PortalProcess portal = await PortalProcess.StartAsync(synth.Root);
using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = readers + 4 }) { BaseAddress = portal.Address };
client.DefaultRequestHeaders.Add("X-Api-Key", portal.Password);

// A training run long enough to outlast the measurement; it is cancelled afterwards.
HttpResponseMessage queued = await client.PostAsJsonAsync("/api/runs", new
{
    name = "bench-portal-load", genotype = PocketNet.Models.SearchSpace.Genotype.PocketNet.ToString(), channels = 4, cells = 4, embeddingSize = 32,
    trainingSet = "SynthFaces", epochs = 1000, batchSize = 8, device = "cpu", benchmarks = Array.Empty<string>(), validation = Array.Empty<string>(),
});
if (!queued.IsSuccessStatusCode) throw new InvalidOperationException($"queueing the training run: {(int)queued.StatusCode} {await queued.Content.ReadAsStringAsync()}");
int jobId = (await queued.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
for (var waited = DateTime.UtcNow; (await client.GetFromJsonAsync<JsonElement>($"/api/runs/{jobId}")).GetProperty("state").GetString() != "Running";)
{
    if (DateTime.UtcNow - waited > TimeSpan.FromMinutes(2)) throw new TimeoutException("the training run did not start");
    await Task.Delay(200);
}

// Warm-up (JIT, first page renders), not counted.
await LoadRun.RunAsync(portal.Address, client, jobId, Math.Min(readers, 4), 0, TimeSpan.FromSeconds(3));
LoadResult result = await LoadRun.RunAsync(portal.Address, client, jobId, readers, live, TimeSpan.FromSeconds(seconds));
await client.PostAsync($"/api/runs/{jobId}/cancel", null);

LoadReport report = LoadReport.Of(result);
Console.WriteLine(report.Table());
Directory.CreateDirectory(Path.GetDirectoryName(options["--json"])!);
await File.WriteAllTextAsync(options["--json"], JsonSerializer.Serialize(new { machine, readers, live, seconds, report }, new JsonSerializerOptions { WriteIndented = true }));
Console.WriteLine($"result: {options["--json"]}");
return report.Errors == 0 && result.LiveConnectionsOpenAtEnd == live ? 0 : 1;

/// <summary>Tiny SynthFaces (12 identities x 4 images, 40 pairs per pair set) in a temporary folder: enough for a training run.</summary>
internal sealed class TemporarySynthData : IDisposable
{
    public TemporarySynthData()
    {
        Root = Directory.CreateTempSubdirectory("pocketnet-bench-synth-").FullName;
        SynthFaces.Generate(new SynthOptions
        {
            OutputFolder = Root, Seed = 3, Identities = 12, ImagesPerIdentity = 4, PairCount = 40, PairSetIdentities = 20,
            IjbSubjects = 6, IjbTemplatesPerSubject = 2, IjbImpostorPairs = 60, MegaFaceProbeIdentities = 4, MegaFaceImagesPerProbe = 3, MegaFaceDistractors = 40,
        });
    }

    public string Root { get; }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
