using System.Text.Json;

namespace PocketNet.Distributed.Tests;

/// <summary>The OpenMP wait policy is set before libtorch loads, a user's choice wins, and doctor shows which.</summary>
public sealed class ThreadPolicyTests
{
    private static string Policy(string? userValue)
    {
        var env = new Dictionary<string, string>();
        if (userValue is not null) env["OMP_WAIT_POLICY"] = userValue;
        var running = WorkerProcesses.Start(WorkerProcesses.CliAssembly, ["doctor", "--json"], env);
        WorkerResult result = running.Finish(0, TimeSpan.FromMinutes(1));
        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Output);
        Assert.Equal(1, json.RootElement.GetProperty("threads").GetInt32()); // POCKETNET_THREADS=1 from the test's environment
        return json.RootElement.GetProperty("open_mp_wait_policy").GetString()!;
    }

    [Fact]
    public void PassiveByDefaultAndTheUsersChoiceWins()
    {
        Assert.StartsWith("PASSIVE (PocketNet's default", Policy(null));
        Assert.StartsWith("ACTIVE (OMP_WAIT_POLICY set by the user)", Policy("ACTIVE"));
    }
}
