using Xunit;
using System.Diagnostics;
using System.Text;

namespace PocketNet.Testing;

/// <summary>
/// Runs the Python helper scripts of a test project (its python/ folder, copied next to the test
/// assembly under python/) with the interpreter that has PyTorch: $PYTHON_FOR_TORCH, or
/// /usr/bin/python3 (not a bare `python3`, which may be a pyenv without torch). A script that fails
/// fails the calling test with its stderr.
/// </summary>
public static class PythonRunner
{
    /// <summary>How long one script may run before the test fails.</summary>
    public static TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>The interpreter used: $PYTHON_FOR_TORCH when set, else /usr/bin/python3.</summary>
    public static string Interpreter =>
        Environment.GetEnvironmentVariable("PYTHON_FOR_TORCH") is { Length: > 0 } configured ? configured : "/usr/bin/python3";

    /// <summary>The folder holding the copied scripts.</summary>
    public static string ScriptDirectory => Path.Combine(AppContext.BaseDirectory, "python");

    /// <summary>
    /// Runs python/<paramref name="script"/> with <paramref name="args"/> and returns its stdout;
    /// fails the test (with stdout and stderr) when it cannot start, times out or exits non-zero.
    /// </summary>
    public static string Run(string script, params string[] args)
    {
        string scriptPath = Path.Combine(ScriptDirectory, script);
        if (!File.Exists(scriptPath))
            Assert.Fail($"python script {scriptPath} does not exist (is it in the test project's python/ folder?)");

        var start = new ProcessStartInfo(Interpreter)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = ScriptDirectory,
        };
        start.ArgumentList.Add(scriptPath);
        foreach (string arg in args) start.ArgumentList.Add(arg);
        // Keep the interpreter from writing __pycache__ into the test output and from buffering its output.
        start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        start.Environment["PYTHONUNBUFFERED"] = "1";

        using var process = new Process { StartInfo = start };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            Assert.Fail($"cannot start the python interpreter '{Interpreter}' (set PYTHON_FOR_TORCH): {e.Message}");
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        if (!process.WaitForExit(Timeout))
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            Assert.Fail($"{script} {string.Join(' ', args)} did not finish within {Timeout.TotalSeconds:0} s\nstderr:\n{stderr}");
        }
        process.WaitForExit(); // drains the asynchronous readers

        if (process.ExitCode != 0)
            Assert.Fail($"{Interpreter} {script} {string.Join(' ', args)} exited with code {process.ExitCode}\n" +
                        $"stderr:\n{stderr}\nstdout:\n{stdout}");
        return stdout.ToString();
    }
}
