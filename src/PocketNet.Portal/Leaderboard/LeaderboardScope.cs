namespace PocketNet.Portal.Leaderboard;

/// <summary>Which benchmarks a leaderboard ranks on: the nine real ones, or the SynthFaces stand-ins. Never both in one table.</summary>
public enum LeaderboardScope
{
    Real,
    Synthetic,
}
