using System.Diagnostics;
using PocketNet.Cli.Distributed;

namespace PocketNet.Distributed.Tests;

/// <summary>
/// A launcher started for a job that another process holds (the portal's worker names itself in
/// POCKETNET_STOP_WITH_PID) ends its ranks when that process dies without ending them, as a crashed worker would.
/// </summary>
public sealed class LauncherOwnerTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    [Fact]
    public void When_the_owner_dies_the_launcher_ends_its_ranks()
    {
        string data = Path.Combine(_temp.Path, "synth"), run = Path.Combine(_temp.Path, "owned");
        var output = new StringWriter();
        Assert.True(PocketNet.Cli.Program.Run(["synth", "--out", data, "--identities", "8", "--images-per-identity", "4", "--pairs", "20", "--seed", "1"], output, output) == 0, output.ToString());
        using Process owner = Process.Start(new ProcessStartInfo("sleep", "300") { UseShellExecute = false })!;
        string[] train =
        [
            "train", "--genotype", PocketNet.Models.SearchSpace.Genotype.PocketNet.ToString(), "--channels", "4", "--cells", "4", "--embedding", "16",
            "--data", "recordio:" + Path.Combine(data, "train"), "--out", run, "--epochs", "200", "--batch", "8", "--device", "cpu", "--nproc-per-node", "2",
        ];
        var launcher = WorkerProcesses.Start(WorkerProcesses.CliAssembly, train, new Dictionary<string, string> { [Launcher.StopWithVariable] = owner.Id.ToString() });
        var clock = Stopwatch.StartNew();
        while (!File.Exists(Path.Combine(run, "events-rank1.jsonl")) || !File.ReadAllText(Path.Combine(run, "events-rank1.jsonl")).Contains("\"step\""))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(90) && !launcher.Process.HasExited, "the ranks did not start training\n" + launcher.Output + launcher.Error);
            Thread.Sleep(100);
        }
        owner.Kill();
        owner.WaitForExit();

        WorkerResult ended = launcher.Finish(0, TimeSpan.FromSeconds(20));
        Assert.True(ended.ExitCode == 1, ended.ToString());
        Assert.Contains("has ended; ending the ranks", ended.Output);
        Assert.False(Directory.Exists(Path.Combine(run, "model")), "the run finished instead of being stopped");
        // No rank lives on: none has the run folder on its command line any more.
        Assert.DoesNotContain(Directory.GetDirectories("/proc"), proc => CommandLine(proc).Contains(run));
    }

    [Fact]
    public void An_owner_that_is_no_process_id_is_refused()
    {
        var launcher = WorkerProcesses.Start(WorkerProcesses.CliAssembly, ["resume", _temp.Path, "--nproc-per-node", "2"],
            new Dictionary<string, string> { [Launcher.StopWithVariable] = "portal" });
        WorkerResult refused = launcher.Finish(0, TimeSpan.FromSeconds(30));
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("POCKETNET_STOP_WITH_PID must be a process id, not 'portal'", refused.Error);
    }

    private static string[] CommandLine(string proc)
    {
        try
        {
            return File.ReadAllText(Path.Combine(proc, "cmdline")).Split('\0');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    public void Dispose() => _temp.Dispose();
}
