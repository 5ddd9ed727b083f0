using PocketNet.Portal.Jobs;

namespace PocketNet.Portal.Components.Runs;

/// <summary>The new-search form as posted; defaults are those of <see cref="SearchRunRequest"/> (a small search).</summary>
public sealed class NewSearchInput
{
    private static readonly SearchRunRequest Defaults = new() { TrainingSet = "" };

    public string? Name { get; set; }
    public string? TrainingSet { get; set; }
    public int Epochs { get; set; } = Defaults.Epochs;
    public int BatchSize { get; set; } = Defaults.BatchSize;
    public int Channels { get; set; } = Defaults.Channels;
    public int Cells { get; set; } = Defaults.Cells;
    public bool SecondOrder { get; set; } = Defaults.SecondOrder;
    public string Device { get; set; } = Defaults.Device;

    /// <summary>Empty: the queue named after the device.</summary>
    public string? Queue { get; set; }
    public int Seed { get; set; } = Defaults.Seed;

    public SearchRunRequest ToRequest() => new()
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
