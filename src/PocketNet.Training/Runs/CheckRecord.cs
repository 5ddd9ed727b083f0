using System.Text.Json;
using PocketNet.Evaluation.Verification;
using PocketNet.Training.Progress;

namespace PocketNet.Training.Runs;

/// <summary>
/// The newest accuracy check of one validation pair set, kept whole in the run folder (checks/NAME.json): the step
/// whose weights it checked, the pair set's file, the 10-fold result, every pair's squared distance and label. When that
/// step is the run's last, it is the evaluation of the finished model on that pair set by the published protocol
/// (flip, 10 folds), so an evaluation after training can take it instead of embedding the same pairs again.
/// </summary>
public sealed record CheckRecord(long GlobalStep, string PairSetPath, double Seconds, PairVerificationResult Result,
    IReadOnlyList<double> Distances, IReadOnlyList<bool> Same)
{
    public const string Folder = "checks";

    public static string PathOf(RunDirectory run, string pairSetName) => Path.Combine(run.Path, Folder, pairSetName + ".json");

    public void Write(RunDirectory run)
    {
        string path = PathOf(run, Result.Benchmark);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(this, EventLog.JsonOptions));
        File.Move(temporary, path, overwrite: true); // a reader never sees half a record
    }

    /// <summary>
    /// The newest check of the pair set at <paramref name="pairSetPath"/> when it checked step <paramref name="globalStep"/>
    /// (the final weights); null when there is none, it checked other weights or another file, or it cannot be read.
    /// </summary>
    public static CheckRecord? FindFinal(RunDirectory run, string pairSetPath, long globalStep)
    {
        string folder = Path.Combine(run.Path, Folder);
        if (!Directory.Exists(folder)) return null;
        string wanted = Path.GetFullPath(pairSetPath);
        foreach (string file in Directory.EnumerateFiles(folder, "*.json"))
        {
            CheckRecord? check;
            try
            {
                check = JsonSerializer.Deserialize<CheckRecord>(File.ReadAllText(file), EventLog.JsonOptions);
            }
            catch (JsonException)
            {
                continue; // a damaged record is only a missed shortcut: the evaluation runs instead
            }
            if (check is not null && check.GlobalStep == globalStep && Path.GetFullPath(check.PairSetPath) == wanted
                && check.Distances.Count == check.Result.Pairs && check.Same.Count == check.Result.Pairs)
                return check;
        }
        return null;
    }
}
