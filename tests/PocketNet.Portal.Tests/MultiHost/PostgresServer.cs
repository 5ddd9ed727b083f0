using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace PocketNet.Portal.Tests.MultiHost;

/// <summary>
/// A throw-away PostgreSQL server for the multi-host tests: Debian's PostgreSQL (scripts/setup.sh installs it),
/// initdb into a temporary folder, started on a free loopback port with trust authentication, stopped and deleted
/// at the end. As root it runs as the "postgres" user, which PostgreSQL requires.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private const string User = "portal";
    private readonly string _bin;
    private readonly string _folder;
    private readonly bool _asPostgresUser;

    private PostgresServer(string bin, string folder, int port, bool asPostgresUser)
    {
        (_bin, _folder, Port, _asPostgresUser) = (bin, folder, port, asPostgresUser);
    }

    public int Port { get; }

    public static PostgresServer Start()
    {
        string bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb")))
                .OrderByDescending(b => b, StringComparer.Ordinal).FirstOrDefault() ?? ""
            : "";
        if (bin == "") throw new InvalidOperationException("PostgreSQL is not installed (/usr/lib/postgresql/*/bin/initdb): run scripts/setup.sh, which installs Debian's postgresql");
        string folder = Path.Combine(Path.GetTempPath(), "pocketnet-pg-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        bool root = Environment.UserName == "root";
        if (root) Run("chown", ["-R", "postgres:postgres", folder], asPostgresUser: false);
        var server = new PostgresServer(bin, folder, FreePort(), root);
        server.Run(Path.Combine(bin, "initdb"), ["-D", server.Data, "-U", User, "--auth=trust", "-E", "UTF8", "--no-sync"]);
        server.Run(Path.Combine(bin, "pg_ctl"), ["-D", server.Data, "-l", Path.Combine(folder, "server.log"), "-w", "-t", "60", "start",
            "-o", $"-p {server.Port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={folder} -c fsync=off -c max_connections=200"]);
        return server;
    }

    private string Data => Path.Combine(_folder, "data");

    /// <summary>A new, empty database and its connection string.</summary>
    public string CreateDatabase(string name)
    {
        using (var connection = new NpgsqlConnection(ConnectionString("postgres")))
        {
            connection.Open();
            using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            command.ExecuteNonQuery();
        }
        return ConnectionString(name);
    }

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username={User};Database={database};Pooling=true;Timeout=15";

    public void Dispose()
    {
        try
        {
            Run(Path.Combine(_bin, "pg_ctl"), ["-D", Data, "-m", "immediate", "-w", "stop"]);
        }
        finally
        {
            try { Directory.Delete(_folder, recursive: true); }
            catch (IOException) { }
        }
    }

    private void Run(string program, string[] arguments) => Run(program, arguments, _asPostgresUser);

    private static void Run(string program, string[] arguments, bool asPostgresUser)
    {
        var start = new ProcessStartInfo(asPostgresUser ? "runuser" : program) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (asPostgresUser) foreach (string a in new[] { "-u", "postgres", "--", program }) start.ArgumentList.Add(a);
        foreach (string a in arguments) start.ArgumentList.Add(a);
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2))) process.Kill();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(program)} failed ({process.ExitCode}): {error.Result}{output.Result}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
