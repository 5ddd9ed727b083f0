using PocketNet.Training.Progress;

namespace PocketNet.Portal.Jobs;

/// <summary>
/// An evaluation job evaluates its benchmarks one call at a time (each result stored as soon as it exists): this
/// passes a call's events on with the benchmark's place in the whole job, so its progress reads "2/3", not "1/1".
/// </summary>
public sealed class BenchmarkOfJob(IProgress<TrainingEvent> events, int index, int count) : IProgress<TrainingEvent>
{
    public void Report(TrainingEvent value) =>
        events.Report(value is EvaluationProgress { IsCheck: false } e ? e with { Index = index, Count = count } : value);
}
