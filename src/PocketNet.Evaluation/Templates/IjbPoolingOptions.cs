namespace PocketNet.Evaluation.Templates;

/// <summary>
/// How image features become template features. Defaults are the reference's (eval_ijbc.py):
/// <c>use_norm_score = True</c>, i.e. image features are NOT normalised before pooling, so the feature norm
/// acts as a quality weight. Detector-score weighting (<c>use_detector_score</c>) is applied whenever
/// detector scores are passed to <see cref="TemplatePooling.Pool"/>.
/// </summary>
/// <param name="NormalizeImageFeatures">
/// L2-normalise each image feature before the detector weighting and pooling (the reference's
/// <c>use_norm_score = False</c>).
/// </param>
public sealed record IjbPoolingOptions(bool NormalizeImageFeatures = false)
{
    /// <summary>The reference's settings.</summary>
    public static IjbPoolingOptions Reference { get; } = new();
}
