namespace PocketNet.Bench.Evaluation;

/// <summary>Standard normal samples (Box-Muller, both outputs used).</summary>
internal sealed class Gaussian(int seed)
{
    private readonly Random _random = new(seed);
    private float? _spare;

    public float Next()
    {
        if (_spare is float spare)
        {
            _spare = null;
            return spare;
        }
        double u = 1 - _random.NextDouble(), v = _random.NextDouble();
        double r = Math.Sqrt(-2 * Math.Log(u));
        _spare = (float)(r * Math.Sin(2 * Math.PI * v));
        return (float)(r * Math.Cos(2 * Math.PI * v));
    }

    public void Fill(Span<float> destination)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = Next();
    }

    public int NextInt(int maxExclusive) => _random.Next(maxExclusive);
}
