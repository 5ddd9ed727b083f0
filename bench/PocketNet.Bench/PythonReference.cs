using System.Diagnostics;
using System.Text.Json;

namespace PocketNet.Bench;

/// <summary>
/// A reference script of bench/python running under the Debian PyTorch (interpreter from
/// PYTHON_FOR_TORCH, default /usr/bin/python3) in `--serve` mode: one JSON object per line on its stdin
/// and stdout, so the bench can alternate python and in-process iterations. Its stderr (progress) is
/// passed through to ours.
/// </summary>
public sealed class PythonReference : IDisposable
{
    public const string InterpreterVariable = "PYTHON_FOR_TORCH";

    private readonly Process _process;
    private readonly string _script;

    public PythonReference(string interpreter, string script)
    {
        _script = script;
        var start = new ProcessStartInfo(interpreter)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Script(script));
        start.ArgumentList.Add("--serve");
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
            throw new InvalidOperationException(
                $"cannot start the python interpreter '{interpreter}' ({e.Message}); set {InterpreterVariable} or pass --python", e);
        }
        _process.BeginErrorReadLine();
    }

    public static string DefaultInterpreter =>
        Environment.GetEnvironmentVariable(InterpreterVariable) is { Length: > 0 } fromEnv ? fromEnv : "/usr/bin/python3";

    /// <summary>The reference script: next to the binary (copied by the csproj), else in the source tree.</summary>
    public static string Script(string fileName)
    {
        string besideBinary = Path.Combine(AppContext.BaseDirectory, "python", fileName);
        if (File.Exists(besideBinary)) return besideBinary;
        string inTree = Path.Combine(RepoPaths.Root, "bench", "python", fileName);
        return File.Exists(inTree) ? inTree : throw new FileNotFoundException($"reference script {fileName} not found", besideBinary);
    }

    /// <summary>Sends one command and waits for its one-line JSON reply.</summary>
    public JsonElement Send(object command)
    {
        _process.StandardInput.WriteLine(JsonSerializer.Serialize(command));
        _process.StandardInput.Flush();
        string? line = _process.StandardOutput.ReadLine();
        if (line is null)
        {
            _process.WaitForExit();
            throw new InvalidOperationException($"{_script} exited (code {_process.ExitCode}) without answering");
        }
        using var doc = JsonDocument.Parse(line);
        JsonElement reply = doc.RootElement.Clone();
        if (reply.TryGetProperty("error", out JsonElement error))
            throw new InvalidOperationException($"{_script}: {error.GetString()}");
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
