using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PocketNet.Application.Evaluation;
using PocketNet.Data.Registry;
using PocketNet.Models.Registry;
using PocketNet.Portal.Catalog;
using PocketNet.Portal.Jobs;
using PocketNet.Portal.Store;

namespace PocketNet.Portal.Leaderboard;

/// <summary>
/// The floor of the synthetic leaderboard: PocketNet-S-128 as its random initialisation (seed 0) leaves it, registered
/// once and evaluated on the synthetic LFW by an ordinary evaluation job. SynthFaces numbers only mean something
/// against it: an untrained network already separates some synthetic pairs. Only LFW at start-up, the benchmark of
/// the first-visit run: all five synthetic benchmarks took 10 minutes of a loaded 2-core machine, and a first run
/// would have queued behind them; the model page's "Evaluate" adds the others. Real benchmarks get no such row
/// (their chance level is known, and evaluating IJB-C or MegaFace costs far more than a floor is worth).
/// Off with Portal:RandomBaseline=false.
/// </summary>
public sealed class RandomBaseline(
    IDbContextFactory<PortalDbContext> store,
    ModelStore models,
    JobQueue queue,
    BenchmarkRegistry registry,
    IOptions<PortalOptions> options,
    ILogger<RandomBaseline> log)
{
    public const string ModelName = "random-pocketnet-s-128";
    public const string DisplayName = "PocketNet-S-128, random weights (floor)";
    public const string Benchmark = "synth_lfw";

    /// <summary>Registers the row and queues its evaluation unless it exists (or is switched off, or the synthetic LFW is absent).</summary>
    public async Task EnsureAsync(CancellationToken cancellation)
    {
        if (!options.Value.RandomBaseline) return;
        List<string> benchmarks = registry.Benchmarks
            .Where(b => b is { IsSynthetic: true, Name: Benchmark } && registry.Check(b, openData: false).IsReady)
            .Select(b => b.Name).ToList();
        if (benchmarks.Count == 0) return;
        await using (PortalDbContext db = await store.CreateDbContextAsync(cancellation))
            if (await db.Models.AnyAsync(m => m.Name == ModelName, cancellation)) return; // its evaluation was queued with it
        ModelRecord model = models.RegisterRandomWeights(ModelRegistry.Resolve("pocketnet-s-128"), ModelName, DisplayName, seed: 0);
        JobRecord job = await queue.EnqueueEvaluationAsync(new EvaluationRequest
        {
            ModelId = model.Id,
            Benchmarks = benchmarks,
            Runtime = EvaluationRuntime.Libtorch,
            Device = "cpu",
        }, cancellation);
        log.LogInformation("random-weights floor: model {Model}, evaluation job {Job} on {Benchmarks}", model.Id, job.Id, string.Join(", ", benchmarks));
    }
}
