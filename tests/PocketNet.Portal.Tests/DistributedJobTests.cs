using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using PocketNet.Portal.Api;
using PocketNet.Application.Training;
using PocketNet.Portal.Jobs;
using PocketNet.Portal.Jobs.Distributed;
using PocketNet.Portal.Store;
using PocketNet.Portal.Tests.Support;
using PocketNet.Training.Runs;

namespace PocketNet.Portal.Tests;

/// <summary>
/// A training job that asks for 2 processes, queued through POST /api/runs and run by the portal's own worker: the
/// CLI's launcher trains it in 2 real processes (Gloo on the CPU), the portal follows rank 0's events, registers and
/// evaluates the model; /api/runs/N/world and the run page show world size 2 and each rank's images/s. Then a second
/// such job is cancelled after its first epoch (its processes end with it) and resumed to the end.
/// </summary>
public sealed class DistributedJobTests : IClassFixture<DistributedJobTests.TwoRankRun>
{
    private readonly TwoRankRun _run;

    public DistributedJobTests(TwoRankRun run) => _run = run;

    // SynthFaces' 48 training images shared by 2 ranks: 24 each per epoch, 3 steps of 8 (one process would take 6).
    private const int StepsPerEpoch = 3;

    public sealed class TwoRankRun : IAsyncLifetime
    {
        public const string CorruptSet = CorruptFaces.Name;

        private readonly TempDirectory _corrupt = new();

        /// <summary>The portal, offering besides SynthFaces a copy of it whose train.rec is noise.</summary>
        public TwoRankRun() => CorruptFaces.Offer(Portal, _corrupt.Path);

        public PortalFactory Portal { get; } = new();
        public HttpClient Admin { get; private set; } = null!;
        public JobView Finished { get; private set; } = null!;
        public ModelView Model { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Admin = Portal.CreateAdminClient();
            TrainingRequest request = TinyRuns.Training("two ranks", epochs: 2, "synth_lfw") with { Processes = 2 };
            JobView accepted = await Problems.ReadAsync<JobView>(await Admin.PostAsJsonAsync("/api/runs", request), HttpStatusCode.Accepted);
            Finished = await PortalFactory.WaitForJobAsync(Admin, accepted.Id);
            if (Finished.State != JobState.Succeeded) throw new InvalidOperationException($"the 2-process run ended {Finished.State}: {Finished.Error}");
            Model = (await Admin.GetFromJsonAsync<ModelView>($"/api/models/{Finished.ModelId}", ApiJson.Options))!;
        }

        public Task DisposeAsync()
        {
            Portal.Dispose();
            _corrupt.Dispose();
            return Task.CompletedTask;
        }
    }

    [Fact]
    public void The_job_trains_in_two_processes_and_registers_and_evaluates_its_model()
    {
        Assert.Equal(JobState.Succeeded, _run.Finished.State);
        Assert.Equal(_run.Finished.Id, _run.Model.JobId);
        Assert.True(_run.Model.Downloadable);
        ResultView lfw = Assert.Single(_run.Model.Results);
        Assert.Equal("synth_lfw", lfw.Benchmark);
        Assert.InRange(lfw.Value, 0, 1);
        // Rank 0's step events reached the job's progress while the processes trained.
        Assert.True(_run.Finished.ImagesPerSecond > 0, $"images/s {_run.Finished.ImagesPerSecond}");
        Assert.True(_run.Finished.Loss > 0, $"loss {_run.Finished.Loss}");
        string folder = _run.Portal.Paths.RunFolder(_run.Finished.Id);
        Assert.Equal([1, 2], new RunDirectory(folder).Checkpoints());
        string log = File.ReadAllText(Path.Combine(folder, TrainingProcesses.LogFile));
        Assert.Contains("starting ranks 0..1 of 2", log);
    }

    [Fact]
    public async Task The_ranks_share_each_epoch_and_rank_0_reports_every_step_and_check()
    {
        var events = (await _run.Admin.GetFromJsonAsync<LiveSnapshot>($"/api/runs/{_run.Finished.Id}/events", ApiJson.Options))!;
        Assert.Equal(2 * StepsPerEpoch, events.LastStep!.TotalSteps);
        Assert.Equal(Enumerable.Range(1, 2 * StepsPerEpoch).Select(s => (long)s), events.Loss.Select(p => p.Step));
        Assert.Equal([StepsPerEpoch, 2 * StepsPerEpoch], events.Accuracy.Select(a => a.Step));
        Assert.Contains(events.Log, l => l.Text.StartsWith("epoch 2 done", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_world_shows_two_ranks_each_with_its_images_per_second()
    {
        RunWorld world = (await _run.Admin.GetFromJsonAsync<RunWorld>($"/api/runs/{_run.Finished.Id}/world", ApiJson.Options))!;
        Assert.Equal(2, world.WorldSize);
        Assert.Equal([0, 1], world.Ranks.Select(r => r.Rank));
        foreach (RankSpeed rank in world.Ranks)
        {
            Assert.True(rank.ImagesPerSecond > 0, $"rank {rank.Rank}: images/s {rank.ImagesPerSecond}");
            Assert.Equal(2 * StepsPerEpoch, rank.GlobalStep);
        }
        Assert.Equal(world.Ranks.Sum(r => r.ImagesPerSecond!.Value), world.TotalImagesPerSecond!.Value, 9);
        // Rank 1's speed is its own log's, not a copy of rank 0's.
        string rank1 = File.ReadAllText(Path.Combine(_run.Portal.Paths.RunFolder(_run.Finished.Id), PocketNet.Training.Distributed.DistributedRun.EventsFileOf(1)));
        Assert.Contains(world.Ranks[1].ImagesPerSecond!.Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture), rank1);
    }

    [Fact]
    public async Task The_run_page_shows_the_world_size_and_each_ranks_images_per_second()
    {
        string page = await _run.Admin.GetStringAsync($"/runs/{_run.Finished.Id}");
        Assert.Matches("id=\"run-world-size\">2<", page);
        foreach (int rank in new[] { 0, 1 })
        {
            Match row = Regex.Match(page, $"<tr data-rank=\"{rank}\">(.*?)</tr>", RegexOptions.Singleline);
            Assert.True(row.Success, $"no row for rank {rank}");
            Assert.Matches(@"\d+\.\d images/s", row.Groups[1].Value);
        }
        Assert.Matches(@"id=""run-world-total"">\d+\.\d images/s<", page);
        Assert.Contains("speed (rank 0)", page);
        // Rank 0 records the start for the whole world.
        Assert.Matches(@"<th>device · processes</th><td>[a-z0-9:]+ · 2</td>", page);
    }

    [Fact]
    public async Task A_two_process_job_whose_ranks_fail_fails_with_their_error_lines()
    {
        TrainingRequest request = TinyRuns.Steady("ranks on corrupt data", 1) with { Processes = 2, TrainingSet = TwoRankRun.CorruptSet };
        JobView job = await Problems.ReadAsync<JobView>(await _run.Admin.PostAsJsonAsync("/api/runs", request), HttpStatusCode.Accepted);
        JobView failed = await PortalFactory.WaitForJobAsync(_run.Admin, job.Id);
        Assert.Equal(JobState.Failed, failed.State);
        Assert.StartsWith("the 2 training processes failed", failed.Error);
        Assert.Contains("train.rec", failed.Error); // a rank's own message, naming the file
        Assert.Contains("the job failed: rank", failed.Error); // the launcher's verdict
        Assert.Null(failed.ModelId);
        string page = await _run.Admin.GetStringAsync($"/runs/{job.Id}");
        Assert.Contains("the 2 training processes failed", WebUtility.HtmlDecode(page));
    }

    [Fact]
    public async Task A_cancelled_two_process_job_ends_its_processes_and_resumes_to_the_end()
    {
        // A portal of its own, with a short heartbeat: the cancel reaches the job within half a second.
        using var portal = new PortalFactory();
        portal.Settings["Portal:JobHeartbeatSeconds"] = "0.5";
        HttpClient admin = portal.CreateAdminClient();
        const int epochs = 16;
        TrainingRequest request = TinyRuns.Steady("cancelled ranks", epochs) with { Processes = 2 };
        JobView job = await Problems.ReadAsync<JobView>(await admin.PostAsJsonAsync("/api/runs", request), HttpStatusCode.Accepted);
        string folder = portal.Paths.RunFolder(job.Id);
        await PortalFactory.WaitForJobAsync(admin, job.Id, _ => Directory.Exists(new RunDirectory(folder).CheckpointPath(1)), "to write its first checkpoint");

        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"/api/runs/{job.Id}/cancel", null)).StatusCode);
        JobView cancelled = await PortalFactory.WaitForJobAsync(admin, job.Id);
        Assert.Equal(JobState.Cancelled, cancelled.State);
        Assert.False(Directory.Exists(Path.Combine(folder, RunDirectory.ModelFolder)), "the run finished before the cancel reached it");
        Assert.Empty(ProcessesNaming(folder));
        int kept = new RunDirectory(folder).Checkpoints()[^1];
        Assert.True(kept < epochs);

        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"/api/runs/{job.Id}/resume", null)).StatusCode);
        JobView resumed = await PortalFactory.WaitForJobAsync(admin, job.Id);
        Assert.True(resumed.State == JobState.Succeeded, $"{resumed.State}: {resumed.Error}");
        Assert.Equal(2, resumed.Attempts);
        Assert.NotNull(resumed.ModelId);
        Assert.Equal(Enumerable.Range(1, epochs), new RunDirectory(folder).Checkpoints());
        string log = File.ReadAllText(Path.Combine(folder, TrainingProcesses.LogFile));
        Assert.Contains($"resumed from", log);
    }

    /// <summary>Processes whose command line names the run folder (the launcher and its ranks: `resume RUN`).</summary>
    private static List<int> ProcessesNaming(string folder)
    {
        var found = new List<int>();
        foreach (string proc in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(proc), out int pid)) continue;
            try
            {
                if (File.ReadAllText(Path.Combine(proc, "cmdline")).Split('\0').Contains(folder)) found.Add(pid);
            }
            catch (IOException)
            {
                // It ended while being read.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return found;
    }
}
