using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PocketNet.Portal.Api;
using PocketNet.Portal.Store;
using PocketNet.Portal.Tests.Support;
using PocketNet.Training.Runs;
using Xunit.Abstractions;

namespace PocketNet.Portal.Tests;

/// <summary>
/// Store faults while a job runs (issue #14, item 4): a database locked past the command timeout, and a full disk
/// under the home. The portal keeps serving pages, a failed write is retried and logged, a job whose records
/// cannot be written fails alone with the reason, and the next job runs.
/// </summary>
public sealed class StoreFaultTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_locked_database_delays_a_jobs_progress_then_fails_only_that_job_with_the_reason_while_pages_keep_serving()
    {
        var logs = new LogCapture();
        using var portal = new PortalFactory { ConfigureServices = services => services.AddSingleton<ILoggerProvider>(logs) };
        string database = Path.Combine(portal.Home, "portal.db");
        // Every store command gives up after 1 s of waiting for a lock; a job's records may go unwritten for 6 s
        // (a 2 s lock, a 1 s command timeout and a retry on a loaded 2-core machine stay inside it).
        portal.Settings["Portal:ConnectionString"] = $"Data Source={database};Default Timeout=1";
        portal.Settings["Portal:JobHeartbeatSeconds"] = "0.5";
        portal.Settings["Portal:StoreFaultSeconds"] = "6";
        HttpClient admin = portal.CreateAdminClient();
        JobView long_ = await PostAsync(admin, TinyRuns.Steady("under a lock", epochs: 500));
        JobView next = await PostAsync(admin, TinyRuns.Steady("after the lock", epochs: 1));
        await PortalFactory.WaitForJobAsync(admin, long_.Id, j => j.State == JobState.Running && j.Progress > 0, "to make progress");

        // A lock held for 2 s (twice the command timeout, a third of the fault limit): writes fail, are retried, the job goes on.
        await HoldLockAsync(database, TimeSpan.FromSeconds(2), admin);
        Assert.Contains(logs.Lines, l => l.Contains($"job {long_.Id}: could not write its progress", StringComparison.Ordinal));
        JobView afterShortLock = await PortalFactory.WaitForJobAsync(admin, long_.Id, j => j.HeartbeatAgeSeconds < 1.5, "to write its progress again");
        Assert.Equal(JobState.Running, afterShortLock.State);

        // A lock held past the fault limit: that job fails with the reason; the next one runs.
        await HoldLockAsync(database, TimeSpan.FromSeconds(9), admin);
        JobView failed = await PortalFactory.WaitForJobAsync(admin, long_.Id);
        output.WriteLine($"job {failed.Id}: {failed.State}: {failed.Error}");
        Assert.Equal(JobState.Failed, failed.State);
        Assert.Contains("could not be written to the store", failed.Error);
        Assert.Contains("locked", failed.Error);
        JobView done = await PortalFactory.WaitForJobAsync(admin, next.Id);
        Assert.True(done.State == JobState.Succeeded, $"{done.State}: {done.Error}");
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task A_full_disk_under_the_home_fails_the_job_that_hit_it_naming_the_path_and_the_portal_goes_on()
    {
        using var portal = new PortalFactory();
        string runs = Path.Combine(portal.Home, "runs");
        Directory.CreateDirectory(runs);
        // The run folders on a small file system of their own, as a full disk under the home would be.
        if (!Mount(runs, out string why))
        {
            output.WriteLine($"SKIPPED: cannot mount a small tmpfs on {runs} ({why}); this test needs root (mount -t tmpfs)");
            return;
        }
        try
        {
            HttpClient admin = portal.CreateAdminClient();
            JobView job = await PostAsync(admin, TinyRuns.Steady("on a full disk", epochs: 500));
            string folder = Path.Combine(runs, $"job-{job.Id:D4}");
            await PortalFactory.WaitForJobAsync(admin, job.Id, j => j.State == JobState.Running && new RunDirectory(folder).Checkpoints().Count > 0, "to write a checkpoint");
            string filler = Path.Combine(runs, "filler");
            Fill(filler);

            JobView failed = await PortalFactory.WaitForJobAsync(admin, job.Id);
            output.WriteLine($"job {failed.Id}: {failed.State}: {failed.Error}");
            Assert.Equal(JobState.Failed, failed.State);
            Assert.Contains("No space left on device", failed.Error);
            Assert.Contains(folder, failed.Error);
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/runs/{job.Id}")).StatusCode);

            File.Delete(filler);
            JobView next = await PostAsync(admin, TinyRuns.Steady("after the disk was freed", epochs: 1));
            JobView done = await PortalFactory.WaitForJobAsync(admin, next.Id);
            Assert.True(done.State == JobState.Succeeded, $"{done.State}: {done.Error}");
        }
        finally
        {
            portal.Dispose();
            Run("umount", "-l", runs);
        }
    }

    private static async Task<JobView> PostAsync(HttpClient admin, object request) =>
        await Problems.ReadAsync<JobView>(await admin.PostAsJsonAsync("/api/runs", request), HttpStatusCode.Accepted);

    /// <summary>Holds the store's write lock for <paramref name="time"/>, checking meanwhile that pages and the API still answer.</summary>
    private static async Task HoldLockAsync(string database, TimeSpan time, HttpClient client)
    {
        await using var connection = new SqliteConnection($"Data Source={database};Default Timeout=30");
        await connection.OpenAsync();
        await using (SqliteCommand begin = connection.CreateCommand())
        {
            begin.CommandText = "BEGIN EXCLUSIVE";
            await begin.ExecuteNonQueryAsync();
        }
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < time)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/runs")).StatusCode);
            await Task.Delay(250);
        }
        await using SqliteCommand rollback = connection.CreateCommand();
        rollback.CommandText = "ROLLBACK";
        await rollback.ExecuteNonQueryAsync();
    }

    private static bool Mount(string folder, out string why)
    {
        (int code, why) = Run("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", folder);
        return code == 0;
    }

    private static void Fill(string path)
    {
        var block = new byte[1 << 20];
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        try
        {
            while (true) stream.Write(block);
        }
        catch (IOException)
        {
            // Full.
        }
    }

    private static (int Code, string Output) Run(string program, params string[] arguments)
    {
        try
        {
            var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (string a in arguments) start.ArgumentList.Add(a);
            using Process process = Process.Start(start)!;
            string text = process.StandardError.ReadToEnd() + process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, text.Trim());
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message);
        }
    }
}
