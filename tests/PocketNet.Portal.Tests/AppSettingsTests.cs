using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace PocketNet.Portal.Tests;

/// <summary>
/// appsettings.json counts however the portal is started: the real portal process, started from a folder that has
/// no appsettings.json (as ./run.sh starts it from the repository's root), serves only the hosts AllowedHosts names
/// and logs no EF Core command, as the file next to its binary says.
/// </summary>
public sealed partial class AppSettingsTests
{
    [Fact]
    public async Task The_portal_reads_the_appsettings_json_beside_its_binary_from_any_working_directory()
    {
        using var home = new TempDirectory();
        using var elsewhere = new TempDirectory();
        string portal = Path.Combine(AppContext.BaseDirectory, "PocketNet.Portal.dll");
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, "appsettings.json")), "the portal's appsettings.json is copied next to it");
        var start = new ProcessStartInfo("dotnet",
            [portal, "--urls", "http://127.0.0.1:0", "--Portal:Home", home.Path, "--Portal:SynthRoot", TinySynthData.Root,
             "--Portal:AdminPassword", PortalFactory.AdminPassword, "--Portal:RandomBaseline", "false"])
        {
            WorkingDirectory = elsewhere.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var output = new StringBuilder();
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var process = new Process { StartInfo = start };
        DataReceivedEventHandler collect = (_, line) =>
        {
            if (line.Data is null) return;
            lock (output) output.AppendLine(line.Data);
            if (Listening().Match(line.Data) is { Success: true } match) listening.TrySetResult(new Uri(match.Groups[1].Value));
        };
        process.OutputDataReceived += collect;
        process.ErrorDataReceived += collect;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await Task.WhenAny(listening.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromMinutes(2)));
            Assert.True(listening.Task.IsCompleted, $"the portal did not start listening:\n{Text(output)}");
            Uri address = await listening.Task;
            using var client = new HttpClient { BaseAddress = address };

            var rebinding = new HttpRequestMessage(HttpMethod.Get, "/api/leaderboard");
            rebinding.Headers.Host = "evil.example";
            Assert.Equal(HttpStatusCode.BadRequest, (await client.SendAsync(rebinding)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/leaderboard")).StatusCode);
            for (int i = 0; i < 5; i++) await client.GetStringAsync("/api/runs");
            // The job runner looks at the queue every few seconds: long enough for its queries to be logged, were they.
            await Task.Delay(TimeSpan.FromSeconds(5));
            Assert.DoesNotContain("Microsoft.EntityFrameworkCore.Database.Command", Text(output));
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output) return output.ToString();
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex Listening();
}
