namespace PocketNet.Distributed.Tests;

/// <summary>c10d collectives over Gloo between two real processes on loopback.</summary>
public sealed class CollectiveTests
{
    private static string Line(WorkerResult r, string key) =>
        r.Output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(key + ": "))?[(key.Length + 2)..]
        ?? throw new Xunit.Sdk.XunitException($"no '{key}' line\n{r}");

    [Fact]
    public void TwoProcessesSumAverageBroadcastAndGather()
    {
        WorkerResult[] ranks = WorkerProcesses.RunRanks(2, WorkerProcesses.TestAssembly, _ => ["collectives"]);
        foreach (WorkerResult r in ranks)
        {
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Equal("3,30", Line(r, "sum"));        // [1, 10] + [2, 20]
            Assert.Equal("1.5,15", Line(r, "average"));
            Assert.Equal("1,0", Line(r, "max"));         // max of [0, 0] and [1, -1]
            Assert.Equal("101,102,103", Line(r, "broadcast")); // rank 1's values
            Assert.Equal("2x2 0,0.5,1,1.5", Line(r, "gathered"));
        }
    }

    [Fact]
    public void APeerThatNeverJoinsTimesOutNamingRankAndOperation()
    {
        WorkerResult[] ranks = WorkerProcesses.RunRanks(2, WorkerProcesses.TestAssembly, _ => ["timeout", "3"]);
        WorkerResult rank0 = ranks[0];
        Assert.True(rank0.ExitCode == 3, rank0.ToString());
        string error = Line(rank0, "error");
        Assert.Contains("rank 0 of 2: all_reduce failed", error);
        Assert.Contains("timeout 3 s", error);
        Assert.InRange(double.Parse(Line(rank0, "seconds")), 2.5, 20);
    }

    [Fact]
    public void AKilledPeerIsNamedByTheSurvivor()
    {
        WorkerResult[] ranks = WorkerProcesses.RunRanks(2, WorkerProcesses.TestAssembly, _ => ["kill"]);
        Assert.NotEqual(0, ranks[1].ExitCode);
        Assert.True(ranks[0].ExitCode == 3, ranks[0].ToString());
        string error = Line(ranks[0], "error");
        Assert.Contains("rank 0 of 2: all_reduce failed", error);
        Assert.Contains("rank 1 stopped responding", error);
    }
}
