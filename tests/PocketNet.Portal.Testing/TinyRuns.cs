using PocketNet.Application.Search;
using PocketNet.Application.Training;

namespace PocketNet.Portal.Testing;

/// <summary>Requests that finish in seconds on a CPU: PocketNet's genotype at width 4 and 4 cells, embedding 32.</summary>
public static class TinyRuns
{
    public static string Genotype => PocketNet.Models.SearchSpace.Genotype.PocketNet.ToString();

    public static TrainingRequest Training(string name = "tiny", int epochs = 2, params string[] benchmarks) => new()
    {
        Name = name,
        Genotype = Genotype,
        Channels = 4,
        Cells = 4,
        EmbeddingSize = 32,
        TrainingSet = "SynthFaces",
        Epochs = epochs,
        BatchSize = 8,
        Device = "cpu",
        Benchmarks = benchmarks,
        Validation = ["synth_lfw"],
    };

    /// <summary>
    /// A run without validation or evaluation, so each epoch is only its training steps (a checkpoint per epoch):
    /// long enough to be cancelled or interrupted after its first checkpoint, short enough to finish after a resume.
    /// </summary>
    public static TrainingRequest Steady(string name, int epochs) => Training(name, epochs) with { Validation = [] };

    /// <summary>A DARTS search that finishes in seconds on a CPU: one epoch of a 4-cell supernet of width 8, first order.</summary>
    public static SearchRequest Search() => new()
    {
        TrainingSet = "SynthFaces", Epochs = 1, BatchSize = 16, Channels = 8, Cells = 4, SecondOrder = false, Device = "cpu",
    };
}
