using PocketNet.Training.Progress;

namespace PocketNet.Application.Evaluation;

/// <summary>
/// <see cref="EvaluationService.EvaluateModel"/> with a listener for each benchmark evaluates them one call at a time
/// (an evaluation job stores each result as soon as it exists): this passes a call's events on with the benchmark's
/// place in the whole list, so its progress reads "2/3", not "1/1".
/// </summary>
public sealed class BenchmarkOfJob(IProgress<TrainingEvent> events, int index, int count) : IProgress<TrainingEvent>
{
    public void Report(TrainingEvent value) =>
        events.Report(value is EvaluationProgress { IsCheck: false } e ? e with { Index = index, Count = count } : value);
}
