using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace PocketNet.Bench.Portal;

/// <summary>
/// The real portal (the PocketNet.Portal.dll copied next to this tool) as a child process on 127.0.0.1, a free port,
/// with its own temporary home and a generated admin password; stopped and its home deleted on dispose.
/// </summary>
public sealed partial class PortalProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly string _home;

    private PortalProcess(Process process, string home, string password)
    {
        _process = process;
        _home = home;
        Password = password;
    }

    public Uri Address { get; private set; } = default!;

    public string Password { get; }

    public static async Task<PortalProcess> StartAsync(string synthRoot)
    {
        string home = Directory.CreateTempSubdirectory("pocketnet-bench-portal-").FullName;
        string password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var start = new ProcessStartInfo("dotnet",
            [Path.Combine(AppContext.BaseDirectory, "PocketNet.Portal.dll"), "--urls", "http://127.0.0.1:0", "--Portal:Home", home,
             "--Portal:SynthRoot", synthRoot, "--Portal:AdminPassword", password])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = home,
        };
        var portal = new PortalProcess(new Process { StartInfo = start }, home, password);
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        DataReceivedEventHandler collect = (_, line) =>
        {
            if (line.Data is null) return;
            lock (portal._output) portal._output.AppendLine(line.Data);
            if (Listening().Match(line.Data) is { Success: true } match) listening.TrySetResult(new Uri(match.Groups[1].Value));
        };
        portal._process.OutputDataReceived += collect;
        portal._process.ErrorDataReceived += collect;
        portal._process.Start();
        portal._process.BeginOutputReadLine();
        portal._process.BeginErrorReadLine();
        await Task.WhenAny(listening.Task, portal._process.WaitForExitAsync(), Task.Delay(TimeSpan.FromMinutes(2)));
        if (!listening.Task.IsCompleted)
        {
            await portal.DisposeAsync();
            throw new InvalidOperationException($"the portal did not start:\n{portal.Output}");
        }
        portal.Address = await listening.Task;
        return portal;
    }

    /// <summary>What the portal printed (warnings and errors only, with its appsettings.json).</summary>
    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        try
        {
            Directory.Delete(_home, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex Listening();
}
