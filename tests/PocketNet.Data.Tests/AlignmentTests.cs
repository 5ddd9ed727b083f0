using System.Numerics;
using System.Text.Json;
using PocketNet.Data.Alignment;
using PocketNet.Data.Imaging;

namespace PocketNet.Data.Tests;

public class AlignmentTests
{
    private static Vector2[] Template => FaceAlignment.ArcFaceTemplate.ToArray();

    [Fact]
    public void TemplateIsTheArcFaceOne()
    {
        Assert.Equal(new Vector2(38.2946f, 51.6963f), Template[0]);
        Assert.Equal(new Vector2(70.7299f, 92.2041f), Template[4]);
        Assert.Equal(112, FaceAlignment.CropSize);
    }

    [Theory]
    [InlineData(1.0, 0.0, 0.0, 0.0)]
    [InlineData(2.5, 0.3, 140.0, -20.0)]
    [InlineData(0.7, -1.2, -5.0, 33.0)]
    [InlineData(3.1, 3.0, 400.0, 250.0)]
    public void LandmarksThatAreASimilarityImageOfTheTemplateMapExactlyOntoIt(double scale, double angle, double tx, double ty)
    {
        var t = SimilarityTransform.FromScaleRotationTranslation(scale, angle, tx, ty);
        Vector2[] landmarks = Template.Select(p => Apply(t, p)).ToArray();
        SimilarityTransform estimate = FaceAlignment.EstimateTransform(landmarks);
        for (int i = 0; i < 5; i++)
        {
            var (x, y) = estimate.Apply(landmarks[i].X, landmarks[i].Y);
            Assert.Equal(Template[i].X, x, 1e-3);
            Assert.Equal(Template[i].Y, y, 1e-3);
        }
        Assert.Equal(1 / scale, estimate.Scale, 1e-5);
    }

    [Fact]
    public void KnownRotationScaleTranslationIsRecovered()
    {
        var truth = SimilarityTransform.FromScaleRotationTranslation(1.75, 0.4, 12.5, -7.25);
        Vector2[] source = [new(10, 20), new(50, 22), new(31, 47), new(15, 70), new(48, 69), new(-3, 5)];
        Vector2[] destination = source.Select(p => Apply(truth, p)).ToArray();
        SimilarityTransform estimate = SimilarityTransform.Estimate(source, destination);
        Assert.Equal(truth.A, estimate.A, 1e-5);
        Assert.Equal(truth.B, estimate.B, 1e-5);
        Assert.Equal(truth.Tx, estimate.Tx, 1e-4);
        Assert.Equal(truth.Ty, estimate.Ty, 1e-4);
        Assert.Equal(1.75, estimate.Scale, 1e-5);
        Assert.Equal(0.4, estimate.Rotation, 1e-5);
    }

    [Fact]
    public void NoisyLandmarksGiveTheLeastSquaresSolution()
    {
        var random = new Random(3);
        var t = SimilarityTransform.FromScaleRotationTranslation(1.9, -0.2, 60, 80);
        Vector2[] landmarks = Template.Select(p => Apply(t, p) + new Vector2((float)(random.NextDouble() * 6 - 3), (float)(random.NextDouble() * 6 - 3))).ToArray();
        SimilarityTransform estimate = FaceAlignment.EstimateTransform(landmarks);

        // Convex quadratic in (A, B, Tx, Ty): no nudge of any parameter may lower the residual.
        double best = Residual(estimate, landmarks);
        Assert.True(best > 0.1);
        foreach (double step in new[] { 1e-3, -1e-3 })
        {
            Assert.True(Residual(estimate with { A = estimate.A + step }, landmarks) > best);
            Assert.True(Residual(estimate with { B = estimate.B + step }, landmarks) > best);
            Assert.True(Residual(estimate with { Tx = estimate.Tx + step }, landmarks) > best);
            Assert.True(Residual(estimate with { Ty = estimate.Ty + step }, landmarks) > best);
        }

        // And it is the matrix Umeyama's SVD method gives (numpy, as skimage computes it for InsightFace).
        string src = JsonSerializer.Serialize(landmarks.Select(p => new[] { (double)p.X, p.Y }));
        string dst = JsonSerializer.Serialize(Template.Select(p => new[] { (double)p.X, p.Y }));
        double[][] m = JsonSerializer.Deserialize<double[][]>(PythonRunner.Run("umeyama.py", src, dst))!;
        double[] ours = estimate.ToAffineMatrix();
        for (int i = 0; i < 6; i++) Assert.Equal(m[i / 3][i % 3], ours[i], 1e-6);
    }

    [Fact]
    public void MirroredLandmarksStillGetAProperRotation()
    {
        // A left-right mirrored face cannot be matched by a reflection: the estimate is a rotation+scale.
        Vector2[] mirrored = Template.Select(p => new Vector2(112 - p.X, p.Y)).ToArray();
        SimilarityTransform estimate = FaceAlignment.EstimateTransform(mirrored);
        Assert.True(estimate.Scale > 0);
        Assert.True(Residual(estimate, mirrored) > 1);
    }

    [Fact]
    public void InverseAndCompositionAgree()
    {
        var t = SimilarityTransform.FromScaleRotationTranslation(2.2, 0.9, 3, -4);
        var u = SimilarityTransform.FromScaleRotationTranslation(0.5, -0.3, 10, 1);
        var (x, y) = t.Inverse().Apply(t.Apply(7.0, -2.0).X, t.Apply(7.0, -2.0).Y);
        Assert.Equal(7.0, x, 1e-12);
        Assert.Equal(-2.0, y, 1e-12);
        var composed = t.Then(u).Apply(1.5, 2.5);
        var (mx, my) = t.Apply(1.5, 2.5);
        var stepwise = u.Apply(mx, my);
        Assert.Equal(stepwise.X, composed.X, 1e-12);
        Assert.Equal(stepwise.Y, composed.Y, 1e-12);
        Assert.Throws<ArgumentException>(() => SimilarityTransform.Estimate([new(1, 1), new(1, 1)], [new(0, 0), new(2, 2)]));
    }

    [Fact]
    public void IdentityWarpCopiesAndTranslationLeavesABlackBorder()
    {
        Image image = TestImages.Noise(30, 20, 3, seed: 1);
        Assert.Equal(image.Pixels, ImageWarp.Warp(image, SimilarityTransform.Identity, 30, 20).Pixels);

        Image shifted = ImageWarp.Warp(image, new SimilarityTransform(1, 0, 5, 2), 30, 20);
        for (int y = 0; y < 20; y++)
            for (int x = 0; x < 30; x++)
                for (int c = 0; c < 3; c++)
                {
                    byte expected = x >= 5 && y >= 2 ? image[y - 2, x - 5, c] : (byte)0;
                    Assert.Equal(expected, shifted[y, x, c]);
                }
    }

    [Fact]
    public void HalfPixelShiftInterpolatesBilinearly()
    {
        var image = new Image(4, 1, 1, [0, 100, 200, 40]);
        Image shifted = ImageWarp.Warp(image, new SimilarityTransform(1, 0, 0.5, 0), 4, 1);
        // Output x samples source x - 0.5; the left neighbour of x = 0 is outside (counts as 0).
        Assert.Equal(new byte[] { 0, 50, 150, 120 }, shifted.Pixels);
    }

    [Theory]
    [InlineData(0.5, 0.5236, 20.0, 10.0)]
    [InlineData(1.3, -1.0, -110.0, 125.0)]
    public void WarpedDotLandsWhereTheTransformSendsIt(double scale, double angle, double tx, double ty)
    {
        var image = new Image(200, 160, 3);
        (int dx, int dy) = (120, 80);
        for (int y = dy - 2; y <= dy + 2; y++)
            for (int x = dx - 2; x <= dx + 2; x++)
                for (int c = 0; c < 3; c++) image[y, x, c] = 255;

        var t = SimilarityTransform.FromScaleRotationTranslation(scale, angle, tx, ty);
        Image warped = ImageWarp.Warp(image, t, 112, 112);
        var (ex, ey) = t.Apply(dx, dy);
        Assert.InRange(ex, 5, 106);
        Assert.InRange(ey, 5, 106);

        double sum = 0, sx = 0, sy = 0;
        for (int y = 0; y < 112; y++)
            for (int x = 0; x < 112; x++)
            {
                double v = warped[y, x, 1];
                sum += v; sx += v * x; sy += v * y;
            }
        Assert.True(sum > 0);
        Assert.Equal(ex, sx / sum, 0.35);
        Assert.Equal(ey, sy / sum, 0.35);
    }

    [Fact]
    public void AlignPutsLandmarkDotsOnTheTemplate()
    {
        var t = SimilarityTransform.FromScaleRotationTranslation(2.0, 0.25, 90, 40);
        Vector2[] landmarks = Template.Select(p => Apply(t, p)).ToArray();
        var image = new Image(400, 400, 3);
        foreach (Vector2 p in landmarks)
            for (int y = -3; y <= 3; y++)
                for (int x = -3; x <= 3; x++)
                    image[(int)MathF.Round(p.Y) + y, (int)MathF.Round(p.X) + x, 0] = 255;

        Image aligned = FaceAlignment.Align(image, landmarks);
        Assert.Equal((112, 112, 3), (aligned.Width, aligned.Height, aligned.Channels));
        foreach (Vector2 p in Template)
            Assert.True(aligned[(int)MathF.Round(p.Y), (int)MathF.Round(p.X), 0] > 200, $"no dot at {p}");
        Assert.Equal(0, aligned[5, 5, 0]);
    }

    private static Vector2 Apply(SimilarityTransform t, Vector2 p)
    {
        var (x, y) = t.Apply(p.X, p.Y);
        return new Vector2((float)x, (float)y);
    }

    private static double Residual(SimilarityTransform t, Vector2[] landmarks)
    {
        double sum = 0;
        for (int i = 0; i < landmarks.Length; i++)
        {
            var (x, y) = t.Apply(landmarks[i].X, landmarks[i].Y);
            sum += (x - Template[i].X) * (x - Template[i].X) + (y - Template[i].Y) * (y - Template[i].Y);
        }
        return sum;
    }
}
