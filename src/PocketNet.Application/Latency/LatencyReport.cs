namespace PocketNet.Application.Latency;

/// <summary>
/// How fast a model embeds faces on this host: milliseconds per image at batch 1 (the median of warm runs: the
/// latency of one face) and images per second at batch 64 (throughput), with the runtime, threads and CPU that gave them.
/// </summary>
public sealed record LatencyReport(
    string Model,
    string Runtime,
    int Threads,
    string Cpu,
    double MillisecondsPerImage,
    double? ImagesPerSecond,
    int Batch,
    int WarmRuns,
    DateTimeOffset MeasuredAt);
