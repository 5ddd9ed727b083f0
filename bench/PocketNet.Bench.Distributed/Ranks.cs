using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace PocketNet.Bench.Distributed;

/// <summary>Starts processes for the benchmark and returns what rank 0 (or the single process) printed.</summary>
internal static class Ranks
{
    public static string Run(string program, IReadOnlyList<string> args, IDictionary<string, string> environment, int worldSize = 1)
    {
        int port = FreePort();
        var processes = Enumerable.Range(0, worldSize).Select(rank =>
        {
            var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string a in args) start.ArgumentList.Add(a.Replace("{port}", port.ToString()));
            foreach (var (k, v) in environment) start.Environment[k] = v;
            if (worldSize > 1)
            {
                start.Environment["RANK"] = start.Environment["LOCAL_RANK"] = rank.ToString();
                start.Environment["WORLD_SIZE"] = worldSize.ToString();
                start.Environment["MASTER_ADDR"] = "127.0.0.1";
                start.Environment["MASTER_PORT"] = port.ToString();
            }
            var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            return (process, output, error);
        }).ToArray();
        foreach (var (process, output, error) in processes)
        {
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited {process.ExitCode}:\n{error.Result}\n{output.Result}");
        }
        return processes[0].output.Result;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
