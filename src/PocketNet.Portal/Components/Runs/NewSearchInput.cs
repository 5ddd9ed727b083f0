using PocketNet.Application.Search;

namespace PocketNet.Portal.Components.Runs;

/// <summary>
/// The new-search form as posted. Its suggested values are a small search that finishes on a CPU; what it leaves out
/// (learning rates, the final network) is the reference's, as for the CLI's `search`.
/// </summary>
public sealed class NewSearchInput
{

    public string? Name { get; set; }
    public string? TrainingSet { get; set; }
    public int Epochs { get; set; } = 1;
    public int BatchSize { get; set; } = 16;
    public int Channels { get; set; } = 8;
    public int Cells { get; set; } = 4;
    public bool SecondOrder { get; set; }
    public string Device { get; set; } = "auto";

    /// <summary>Empty: the queue named after the device.</summary>
    public string? Queue { get; set; }
    public int Seed { get; set; } = 2;

    public SearchRequest ToRequest() => new()
    {
        Name = string.IsNullOrWhiteSpace(Name) ? null : Name.Trim(),
        TrainingSet = TrainingSet ?? "",
        Epochs = Epochs,
        BatchSize = BatchSize,
        Channels = Channels,
        Cells = Cells,
        SecondOrder = SecondOrder,
        Device = Device,
        Queue = string.IsNullOrWhiteSpace(Queue) ? null : Queue.Trim(),
        Seed = Seed,
    };
}
