using PocketNet.Training.Progress;
using PocketNet.Training.Runs;

namespace PocketNet.Training.Distributed;

/// <summary>What a run folder looks like when several ranks train into it.</summary>
public static class DistributedRun
{
    /// <summary>
    /// Rank 0 writes the run's events.jsonl and reports to the observer; every other rank keeps its own
    /// events-rank{r}.jsonl (its losses and images/s), so that the run's log stays one voice; the portal reads the
    /// others' files only for their speed.
    /// </summary>
    public static EventLog OpenLog(RunDirectory run, TrainingWorld world, IProgress<TrainingEvent>? observer) =>
        world.IsMain
            ? new EventLog(run.EventsPath, observer)
            : new EventLog(Path.Combine(run.Path, EventsFileOf(world.Rank)));

    /// <summary>The events file of one rank, relative to the run folder: rank 0's is the run's own.</summary>
    public static string EventsFileOf(int rank) => rank == 0 ? RunDirectory.EventsFile : $"events-rank{rank}.jsonl";
}
