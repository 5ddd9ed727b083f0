using System.Diagnostics;
using System.Text.Json;

namespace PocketNet.Bench.Models;

/// <summary>
/// bench/python/models_bench.py in <c>--serve</c> mode: one JSON command per line on its stdin, one JSON reply
/// per line on its stdout, so the bench can alternate python and in-process iterations. The script runs from the
/// source tree because it imports the model tests' PyTorch oracle by path; its stderr is passed through.
/// </summary>
public sealed class PythonModels : IDisposable
{
    private readonly Process _process;

    public PythonModels(string interpreter)
    {
        Script = Path.Combine(RepoRoot.Path, "bench", "python", "models_bench.py");
        ReferenceDir = Path.Combine(RepoRoot.Path, "tests", "PocketNet.Models.Tests", "python");
        if (!File.Exists(Script)) throw new FileNotFoundException("the python side of the bench is missing", Script);
        var start = new ProcessStartInfo(interpreter)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { Script, "--serve", "--reference-dir", ReferenceDir }) start.ArgumentList.Add(arg);
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
            throw new InvalidOperationException($"cannot start '{interpreter}' ({e.Message}); set PYTHON_FOR_TORCH or pass --python", e);
        }
        _process.BeginErrorReadLine();
    }

    public string Script { get; }
    public string ReferenceDir { get; }

    public JsonElement Send(object command)
    {
        _process.StandardInput.WriteLine(JsonSerializer.Serialize(command));
        _process.StandardInput.Flush();
        string line = _process.StandardOutput.ReadLine()
            ?? throw new InvalidOperationException($"{Script} exited without answering (is torch importable by that interpreter?)");
        using var document = JsonDocument.Parse(line);
        JsonElement reply = document.RootElement.Clone();
        if (reply.TryGetProperty("error", out JsonElement error)) throw new InvalidOperationException($"{Script}: {error.GetString()}");
        return reply;
    }

    public Sample Run(string model, string benchCase)
    {
        JsonElement reply = Send(new { op = "run", model, @case = benchCase });
        var phases = reply.GetProperty("phases_ms").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
        return new Sample(reply.GetProperty("ms").GetDouble(), reply.GetProperty("cpu_ms").GetDouble(), reply.GetProperty("sys_ms").GetDouble(),
            reply.GetProperty("minor_faults").GetInt64(), phases);
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
            // already gone
        }
        _process.Dispose();
    }
}
