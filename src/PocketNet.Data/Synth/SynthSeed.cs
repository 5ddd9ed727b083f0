namespace PocketNet.Data.Synth;

/// <summary>
/// Derives independent, reproducible seeds from the generation seed and a path of integers (purpose,
/// identity, image...), by SplitMix64 mixing. Every random decision of the generator draws from a
/// <see cref="System.Random"/> seeded this way, so one image never depends on another or on thread timing.
/// </summary>
internal static class SynthSeed
{
    public static ulong Mix(ulong value)
    {
        value += 0x9E3779B97F4A7C15UL;
        value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9UL;
        value = (value ^ (value >> 27)) * 0x94D049BB133111EBUL;
        return value ^ (value >> 31);
    }

    public static ulong Derive(ulong seed, params ReadOnlySpan<long> path)
    {
        ulong state = Mix(seed);
        foreach (long part in path) state = Mix(state ^ (ulong)part);
        return state;
    }

    /// <summary>A <see cref="Random"/> (the seeded, platform-stable algorithm) for the derived seed.</summary>
    public static Random Random(ulong seed, params ReadOnlySpan<long> path) => new((int)(Derive(seed, path) & 0x7FFFFFFF));

    /// <summary>Purposes, so that streams for different uses of one identity or image never coincide.</summary>
    public const long IdentityPurpose = 1, ImagePurpose = 2, DriftPurpose = 3, SessionPurpose = 4, CanvasPurpose = 5, NoisePurpose = 6,
        PairPurpose = 7, IjbPurpose = 8, MegaFacePurpose = 9;
}

/// <summary>Small sampling helpers over <see cref="System.Random"/>.</summary>
internal static class RandomExtensions
{
    public static float Range(this Random random, double min, double max) => (float)(min + (max - min) * random.NextDouble());

    public static bool Chance(this Random random, double probability) => random.NextDouble() < probability;

    public static float Gaussian(this Random random)
    {
        double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
        return (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
    }

    public static float Signed(this Random random, double magnitude) => random.Range(-magnitude, magnitude);
}
