using System.Diagnostics;
using System.Text.Json;

namespace PocketNet.Bench.Support;

/// <summary>
/// A reference script of bench/python in <c>--serve</c> mode under the Debian PyTorch: one JSON command per line
/// on its stdin, one JSON reply per line on its stdout (a reply with "error" is thrown here), so a bench can
/// alternate python and in-process iterations. Its stderr (progress) is passed through to ours. Disposing sends
/// "quit" and waits for it to exit.
/// </summary>
public sealed class PythonServer : IDisposable
{
    /// <summary>The environment variable naming the interpreter that has torch (the pyenv python on PATH has none).</summary>
    public const string InterpreterVariable = "PYTHON_FOR_TORCH";

    private readonly Process _process;

    /// <param name="interpreter">The python to run, e.g. <see cref="DefaultInterpreter"/>.</param>
    /// <param name="script">The script's path (<see cref="RepoPaths.PythonScript"/>).</param>
    /// <param name="arguments">Arguments after <c>--serve</c>.</param>
    public PythonServer(string interpreter, string script, params string[] arguments)
    {
        if (!File.Exists(script)) throw new FileNotFoundException("the python side of the bench is missing", script);
        Script = script;
        var start = new ProcessStartInfo(interpreter)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { script, "--serve" }.Concat(arguments)) start.ArgumentList.Add(argument);
        _process = new Process { StartInfo = start };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) Console.Error.WriteLine("  " + e.Data);
        };
        try
        {
            _process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"cannot start the python interpreter '{interpreter}' ({e.Message}); set {InterpreterVariable} or pass --python", e);
        }
        _process.BeginErrorReadLine();
    }

    /// <summary><c>$PYTHON_FOR_TORCH</c>, else /usr/bin/python3 (the Debian python that has torch).</summary>
    public static string DefaultInterpreter =>
        Environment.GetEnvironmentVariable(InterpreterVariable) is { Length: > 0 } fromEnv ? fromEnv : "/usr/bin/python3";

    public string Script { get; }

    /// <summary>Sends one command and waits for its one-line JSON reply.</summary>
    public JsonElement Send(object command)
    {
        _process.StandardInput.WriteLine(JsonSerializer.Serialize(command));
        _process.StandardInput.Flush();
        string? line = _process.StandardOutput.ReadLine();
        if (line is null)
        {
            _process.WaitForExit();
            throw new InvalidOperationException($"{Script} exited (code {_process.ExitCode}) without answering (is torch importable by that interpreter?)");
        }
        using var document = JsonDocument.Parse(line);
        JsonElement reply = document.RootElement.Clone();
        if (reply.TryGetProperty("error", out JsonElement error)) throw new InvalidOperationException($"{Script}: {error.GetString()}");
        return reply;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.WriteLine("{\"op\": \"quit\"}");
                _process.StandardInput.Close();
                if (!_process.WaitForExit(10_000)) _process.Kill();
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone: nothing to release.
        }
        _process.Dispose();
    }
}
