using PocketNet.Training.Progress;

namespace PocketNet.Cli.Commands;

/// <summary>
/// Shows a run's events on the terminal: a progress bar redrawn in place on a terminal (one line per
/// report when output is redirected), verification results, epochs and messages on their own lines.
/// </summary>
public sealed class ConsoleProgress(TextWriter output) : IProgress<TrainingEvent>
{
    private readonly bool _interactive = !Console.IsOutputRedirected && ReferenceEquals(output, Console.Out);
    private readonly Lock _lock = new();
    private bool _barShown;

    public void Report(TrainingEvent value)
    {
        lock (_lock)
        {
            switch (value)
            {
                case ProgressEvent progress:
                    string line = progress is StepProgress step ? Format(step) : Format((EvaluationProgress)progress);
                    if (_interactive) output.Write("\r" + line.PadRight(Console.WindowWidth > 0 ? Math.Min(Console.WindowWidth - 1, 160) : 0));
                    else output.WriteLine(line);
                    _barShown = _interactive;
                    break;
                default:
                    if (_barShown) output.WriteLine();
                    _barShown = false;
                    output.WriteLine(Describe(value));
                    break;
            }
        }
    }

    public static string Format(StepProgress p)
    {
        const int width = 20;
        int filled = (int)Math.Round(p.Fraction * width);
        string losses = string.Join(" ", p.Losses.Select(kv => $"{kv.Key} {kv.Value:F4}"));
        return $"epoch {p.Epoch}/{p.Epochs} step {p.Step}/{p.StepsPerEpoch} [{new string('#', filled)}{new string('.', width - filled)}] " +
               $"{p.Fraction:P1} | {losses} | lr {p.LearningRate:G3} | {p.ImagesPerSecond:F1} img/s | ETA {FormatDuration(p.EstimatedRemaining)}";
    }

    /// <summary>An accuracy check or an evaluation: what is embedded, how far, how fast, and the time left.</summary>
    public static string Format(EvaluationProgress p) =>
        $"{(p.IsCheck ? $"checking at step {p.GlobalStep}" : "evaluating")} {p.Benchmark}{(p.Count > 1 ? $" ({p.Index + 1}/{p.Count})" : "")}: " +
        $"{p.Done:N0}/{p.Total:N0} {p.Unit} | {p.Fraction:P1} | {p.ImagesPerSecond:F1} img/s | ETA {FormatDuration(p.EstimatedRemaining)}";

    private static string Describe(TrainingEvent e) => e switch
    {
        VerificationCheck v => $"verification at step {v.GlobalStep}: {v.Benchmark}{(v.Synthetic ? " (synthetic)" : "")} accuracy {v.Accuracy:P2} ± {v.Std:P2}",
        EpochCompleted c => $"epoch {c.Epoch} done at step {c.GlobalStep}: mean {string.Join(", ", c.MeanLosses.Select(kv => $"{kv.Key} {kv.Value:F4}"))}; checkpoint {c.Checkpoint}",
        GenotypeDerived g => $"epoch {g.Epoch} genotype (validation top-1 {g.ValidationAccuracy:P1}): {g.Genotype}",
        RunMessage m => m.Text,
        _ => e.ToString(),
    };

    private static string FormatDuration(TimeSpan t) =>
        t.TotalHours >= 1 ? $"{(int)t.TotalHours}:{t.Minutes:D2}:{t.Seconds:D2}" : $"{t.Minutes}:{t.Seconds:D2}";
}
