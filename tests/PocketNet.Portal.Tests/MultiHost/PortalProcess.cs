using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using PocketNet.Portal.Auth;

namespace PocketNet.Portal.Tests.MultiHost;

/// <summary>
/// A real portal process (the built PocketNet.Portal.dll) in a role: a web host or a worker host on a shared
/// PostgreSQL store and a shared home, as several machines would run it. Its output is kept for failure messages;
/// <see cref="Kill"/> is kill -9.
/// </summary>
public sealed class PortalProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private PortalProcess(Process process, string role, int port)
    {
        (_process, Role, Port) = (process, role, port);
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        Client.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.Header, PortalFactory.ApiKey);
    }

    public string Role { get; }
    public int Port { get; }
    public int Pid => _process.Id;

    /// <summary>The name the store gives this process as a job's worker.</summary>
    public string WorkerName => $"{Environment.MachineName}:{Pid}";

    /// <summary>A client that sends the admin's API key.</summary>
    public HttpClient Client { get; }

    public bool HasExited => _process.HasExited;

    public string Output => string.Join('\n', _output.TakeLast(60));

    public static PortalProcess Start(string role, string home, string connectionString, IReadOnlyDictionary<string, string>? settings = null)
    {
        int port = FreePort();
        string dll = Path.Combine(AppContext.BaseDirectory, "PocketNet.Portal.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        foreach (string a in new[] { dll, "--urls", $"http://127.0.0.1:{port}", "--Portal:Role", role }) start.ArgumentList.Add(a);
        var env = new Dictionary<string, string>
        {
            ["Portal__Home"] = home,
            ["Portal__Database"] = "postgres",
            ["Portal__ConnectionString"] = connectionString,
            ["Portal__SynthRoot"] = TinySynthData.Root,
            ["Portal__RandomBaseline"] = "false", // the scenarios count their own jobs
            ["Portal__AdminPassword"] = PortalFactory.AdminPassword,
            ["Portal__ApiKeys__0"] = PortalFactory.ApiKey,
            ["Portal__JobHeartbeatSeconds"] = "1",
            ["Portal__JobLeaseSeconds"] = "6",
            ["Portal__InvisibilitySeconds"] = "10",
            ["Portal__ServerHeartbeatSeconds"] = "2",
            ["Logging__LogLevel__Default"] = "Information",
            ["Logging__LogLevel__Microsoft.EntityFrameworkCore"] = "Warning",
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            // Two cores shared by several processes: keep each one's threads and heap small.
            ["DOTNET_gcServer"] = "0",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) env[key] = value;
        foreach (var (key, value) in env) start.Environment[key] = value;
        return new PortalProcess(Process.Start(start)!, role, port);
    }

    /// <summary>Waits until the process answers HTTP (a worker its /health, a web host its API).</summary>
    public async Task WaitReadyAsync(TimeSpan? timeout = null)
    {
        DateTime deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(2));
        string path = Role == "worker" ? "/health" : "/api/queues";
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"{Role} process {Pid} exited ({_process.ExitCode}):\n{Output}");
            try
            {
                if ((await Client.GetAsync(path)).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{Role} process {Pid} not ready:\n{Output}");
            await Task.Delay(200);
        }
    }

    /// <summary>kill -9: no shutdown, no goodbye to the store.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        Client.Dispose();
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        _output.Enqueue(line);
        while (_output.Count > 400) _output.TryDequeue(out _);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
