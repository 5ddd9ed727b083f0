using PocketNet.Evaluation.Templates;

namespace PocketNet.Evaluation.Tests.Templates;

public class TemplatePoolingTests
{
    // Four templates, six images, 2-d features:
    //   template 1: media 10 = images (3, 0) and (0, 1); media 11 = image (0, 2)
    //   template 2: media 20 = image (0, 5)
    //   template 3: media 30 = image (4, 3)
    //   template 4: media 40 = image (-1, 0)
    // Listed out of order on purpose (the pooling groups by id, not by position).
    private static readonly int[] TemplateIds = [3, 1, 2, 1, 4, 1];
    private static readonly int[] MediaIds = [30, 10, 20, 11, 40, 10];
    private static readonly float[] Features = [4, 3, 3, 0, 0, 5, 0, 2, -1, 0, 0, 1];

    private static void AssertRow(TemplateFeatures templates, int templateId, double x, double y)
    {
        var row = templates.Feature(templates.RowOf(templateId));
        Assert.Equal(x, row[0], 6);
        Assert.Equal(y, row[1], 6);
    }

    [Fact]
    public void MediaAreAveragedTemplatesSummedAndNormalised()
    {
        var templates = TemplatePooling.Pool(Features, 2, TemplateIds, MediaIds);
        Assert.Equal([1, 2, 3, 4], templates.TemplateIds);
        // Template 1: media 10 = (1.5, 0.5), media 11 = (0, 2), sum (1.5, 2.5), norm sqrt(8.5).
        AssertRow(templates, 1, 1.5 / Math.Sqrt(8.5), 2.5 / Math.Sqrt(8.5));
        AssertRow(templates, 2, 0, 1);
        AssertRow(templates, 3, 0.8, 0.6);
        AssertRow(templates, 4, -1, 0);
    }

    [Fact]
    public void DetectorScoresWeightEachImageBeforePooling()
    {
        // Image order as in Features: t3, t1/m10 (3,0), t2, t1/m11 (0,2), t4, t1/m10 (0,1).
        float[] scores = [0.5f, 0.5f, 2f, 2f, 1f, 1f];
        var templates = TemplatePooling.Pool(Features, 2, TemplateIds, MediaIds, scores);
        // Template 1: media 10 = mean((1.5, 0), (0, 1)) = (0.75, 0.5); media 11 = (0, 4); sum (0.75, 4.5).
        double norm = Math.Sqrt(0.75 * 0.75 + 4.5 * 4.5);
        AssertRow(templates, 1, 0.75 / norm, 4.5 / norm);
        // Single-image templates only change scale, which the final normalisation removes.
        AssertRow(templates, 3, 0.8, 0.6);
    }

    [Fact]
    public void OptionallyNormalisesImageFeaturesFirst()
    {
        var templates = TemplatePooling.Pool(Features, 2, TemplateIds, MediaIds, options: new IjbPoolingOptions(NormalizeImageFeatures: true));
        // Template 1: media 10 = mean((1, 0), (0, 1)) = (0.5, 0.5); media 11 = (0, 1); sum (0.5, 1.5).
        AssertRow(templates, 1, 0.5 / Math.Sqrt(2.5), 1.5 / Math.Sqrt(2.5));
    }

    [Fact]
    public void FlippedFeaturesAreAddedToTheOriginals()
    {
        // Split every feature into two halves that add up to it.
        var original = Features.Select((v, i) => i % 3 == 0 ? v : v * 0.25f).ToArray();
        var flipped = Features.Zip(original, (whole, part) => whole - part).ToArray();
        var direct = TemplatePooling.Pool(Features, 2, TemplateIds, MediaIds);
        var split = TemplatePooling.Pool(original, 2, TemplateIds, MediaIds, flippedFeatures: flipped);
        Assert.Equal(direct.AllFeatures.ToArray(), split.AllFeatures.ToArray());
        Assert.Equal(Features, TemplatePooling.AddFlipped(original, flipped));
    }

    [Fact]
    public void PairScoresAreCosinesOfTheTemplates()
    {
        var templates = TemplatePooling.Pool(Features, 2, TemplateIds, MediaIds);
        float[] scores = IjbProtocol.Score(templates, [1, 1, 2, 3, 2, 4], [2, 3, 3, 4, 4, 4]);
        double t1x = 1.5 / Math.Sqrt(8.5), t1y = 2.5 / Math.Sqrt(8.5);
        double[] expected = [t1y, 0.8 * t1x + 0.6 * t1y, 0.6, -0.8, 0, 1];
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], scores[i], 6);
    }

    [Fact]
    public void ZeroTemplatesStayZeroAsInSklearnNormalize()
    {
        var templates = TemplatePooling.Pool([0, 0, 1, 1], 2, [5, 6], [1, 1]);
        Assert.Equal([0f, 0f], templates.Feature(templates.RowOf(5)).ToArray());
    }

    [Fact]
    public void RejectsInconsistentInputs()
    {
        Assert.Throws<ArgumentException>(() => TemplatePooling.Pool(Features, 2, TemplateIds, [1, 2]));
        Assert.Throws<ArgumentException>(() => TemplatePooling.Pool(Features, 3, TemplateIds, MediaIds));
        Assert.Throws<ArgumentException>(() => TemplatePooling.Pool(Features, 2, TemplateIds, MediaIds, detectorScores: [1f]));
        Assert.Throws<ArgumentException>(() => new TemplateFeatures([1, 1], [1, 0, 0, 1], 2));
    }
}
