using System.Diagnostics;
using PocketNet.Data.Registry;
using PocketNet.Training.Progress;

namespace PocketNet.Application.Evaluation;

/// <summary>
/// Reports an evaluation's progress as <see cref="EvaluationProgress"/>: which benchmark of how many, its pairs (or
/// images) embedded out of its total, the embedding rate, and the time left: the rest of this benchmark and the
/// benchmarks after it at the rate measured so far (a later benchmark's size is its published image count, else
/// taken to be the size of the one running).
/// </summary>
internal sealed class EvaluationPass(IReadOnlyList<BenchmarkEntry> entries, IProgress<TrainingEvent>? observer)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _imagesBefore, _current;
    private int _index;

    /// <summary>Starts the benchmark of this pass with <paramref name="images"/> images; the progress to hand its extractor.</summary>
    public IProgress<double> Start(long images, string unit)
    {
        long perItem = unit == "pairs" ? 2 : 1;
        void Report(long done)
        {
            long embedded = _imagesBefore + done;
            double seconds = _clock.Elapsed.TotalSeconds;
            double? rate = seconds > 0 && embedded > 0 ? embedded / seconds : null;
            long later = entries.Skip(_index + 1).Sum(e => (long?)(e.Published?.Images + (e.Published?.Distractors ?? 0)) ?? images);
            TimeSpan remaining = rate is double r ? TimeSpan.FromSeconds((images - done + later) / r) : TimeSpan.Zero;
            observer?.Report(new EvaluationProgress(entries[_index].Name, _index, entries.Count, done / perItem, images / perItem, unit,
                rate ?? 0, remaining));
        }
        Report(0);
        _current = images;
        return new CountProgress(images, Report);
    }

    /// <summary>The running benchmark is done; the next one follows.</summary>
    public void Next()
    {
        _imagesBefore += _current;
        _current = 0;
        _index++;
    }
}
