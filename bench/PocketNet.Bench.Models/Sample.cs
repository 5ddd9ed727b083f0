namespace PocketNet.Bench.Models;

/// <summary>
/// One timed iteration: wall time, the process CPU time it took (all threads) and the part of it spent in the
/// kernel (page faults, mmap/munmap), the minor page faults it took
/// (fresh pages for activations that malloc had handed back to the kernel), the wall time of each phase in order, and <see cref="OtherLoad"/>, the share of the machine's CPUs other processes used meanwhile
/// (<see cref="LoadProbe"/>; set by the caller).
/// </summary>
public sealed record Sample(double Ms, double CpuMs, double SysMs, long MinorFaults, IReadOnlyDictionary<string, double> PhasesMs)
{
    public double OtherLoad { get; init; } = double.NaN;
}
