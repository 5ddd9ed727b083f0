using System.Numerics;

namespace PocketNet.Data.Alignment;

/// <summary>
/// A 2-D similarity (uniform scale, rotation, translation; no reflection):
/// x' = A x - B y + Tx, y' = B x + A y + Ty, i.e. scale = sqrt(A² + B²), angle = atan2(B, A).
/// Coordinates follow the image convention (x right, y down, pixel centres at integers).
/// </summary>
public readonly record struct SimilarityTransform(double A, double B, double Tx, double Ty)
{
    public static SimilarityTransform Identity => new(1, 0, 0, 0);

    public double Scale => Math.Sqrt(A * A + B * B);

    /// <summary>Rotation in radians (counter-clockwise in a y-up frame; clockwise on screen).</summary>
    public double Rotation => Math.Atan2(B, A);

    public static SimilarityTransform FromScaleRotationTranslation(double scale, double rotation, double tx, double ty) =>
        new(scale * Math.Cos(rotation), scale * Math.Sin(rotation), tx, ty);

    public (double X, double Y) Apply(double x, double y) => (A * x - B * y + Tx, B * x + A * y + Ty);

    public Vector2 Apply(Vector2 point)
    {
        var (x, y) = Apply(point.X, point.Y);
        return new Vector2((float)x, (float)y);
    }

    /// <summary>The transform that undoes this one.</summary>
    public SimilarityTransform Inverse()
    {
        double norm = A * A + B * B;
        if (norm == 0 || !double.IsFinite(norm)) throw new InvalidOperationException($"{this} is not invertible");
        // The inverse of the rotation-scale [[A, -B], [B, A]] is [[A, B], [-B, A]] / (A² + B²).
        double ia = A / norm, ib = -B / norm;
        return new SimilarityTransform(ia, ib, -(ia * Tx - ib * Ty), -(ib * Tx + ia * Ty));
    }

    /// <summary>This transform followed by <paramref name="next"/>.</summary>
    public SimilarityTransform Then(SimilarityTransform next) => new(
        next.A * A - next.B * B,
        next.B * A + next.A * B,
        next.A * Tx - next.B * Ty + next.Tx,
        next.B * Tx + next.A * Ty + next.Ty);

    /// <summary>The 2x3 affine matrix [[A, -B, Tx], [B, A, Ty]] row-major (OpenCV's warpAffine layout).</summary>
    public double[] ToAffineMatrix() => [A, -B, Tx, B, A, Ty];

    /// <summary>
    /// The least-squares similarity mapping <paramref name="source"/> onto <paramref name="destination"/>
    /// (Umeyama 1991 with scale, rotation restricted to proper rotations), i.e. what InsightFace's alignment
    /// gets from skimage's SimilarityTransform.estimate. In 2-D Umeyama's SVD solution reduces to a closed
    /// form: with both point sets centred, A = Σ(p·q) / Σ|p|², B = Σ(p × q) / Σ|p|².
    /// </summary>
    public static SimilarityTransform Estimate(ReadOnlySpan<Vector2> source, ReadOnlySpan<Vector2> destination)
    {
        if (source.Length != destination.Length)
            throw new ArgumentException($"{source.Length} source points but {destination.Length} destination points");
        if (source.Length < 2) throw new ArgumentException("a similarity needs at least two point pairs");

        double sx = 0, sy = 0, dx = 0, dy = 0;
        for (int i = 0; i < source.Length; i++)
        {
            sx += source[i].X; sy += source[i].Y;
            dx += destination[i].X; dy += destination[i].Y;
        }
        int n = source.Length;
        sx /= n; sy /= n; dx /= n; dy /= n;

        double dot = 0, cross = 0, spread = 0;
        for (int i = 0; i < n; i++)
        {
            double px = source[i].X - sx, py = source[i].Y - sy;
            double qx = destination[i].X - dx, qy = destination[i].Y - dy;
            dot += px * qx + py * qy;
            cross += px * qy - py * qx;
            spread += px * px + py * py;
        }
        if (spread <= 1e-12 || !double.IsFinite(spread))
            throw new ArgumentException("the source points coincide (or are not finite); no similarity is defined");

        double a = dot / spread, b = cross / spread;
        return new SimilarityTransform(a, b, dx - (a * sx - b * sy), dy - (b * sx + a * sy));
    }
}
