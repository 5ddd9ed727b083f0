using System.Text.Json;
using PocketNet.Bench.Support;

namespace PocketNet.Bench.Models;

/// <summary>
/// bench/python/models_bench.py as a <see cref="PythonServer"/>. The script runs from the source tree because it
/// imports the model tests' PyTorch oracle by path (tests/PocketNet.Models.Tests/python).
/// </summary>
public sealed class PythonModels(string interpreter) : IDisposable
{
    private readonly PythonServer _server = new(interpreter, Path.Combine(RepoPaths.Root, "bench", "python", "models_bench.py"),
        "--reference-dir", Path.Combine(RepoPaths.Root, "tests", "PocketNet.Models.Tests", "python"));

    public JsonElement Send(object command) => _server.Send(command);

    /// <summary>One timed iteration of a case on the python side.</summary>
    public Sample Run(string model, string benchCase)
    {
        JsonElement reply = Send(new { op = "run", model, @case = benchCase });
        var phases = reply.GetProperty("phases_ms").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
        return new Sample(reply.GetProperty("ms").GetDouble(), reply.GetProperty("cpu_ms").GetDouble(), reply.GetProperty("sys_ms").GetDouble(),
            reply.GetProperty("minor_faults").GetInt64(), phases);
    }

    public void Dispose() => _server.Dispose();
}
