using PocketNet.Torch;

namespace PocketNet.Models.Heads;

/// <summary>
/// ArcFace (additive angular margin, Deng et al. 2019): the target logit becomes s·cos(θ + m) while
/// θ + m &lt; π; past that point cos(θ + m) would rise again, so the reference falls back to
/// s·(cos θ − m·sin m), which keeps the logit decreasing in θ.
/// </summary>
/// <param name="clampSine">
/// True (our default): sin θ = sqrt(max(0, 1 − cos² θ)). False: the reference's sqrt(1 − cos² θ), which is NaN
/// when a cosine exceeds 1 (its clamp allows up to 1 + 1e-5); identical everywhere else.
/// </param>
public sealed class ArcFaceHead(int embeddingSize, int classes, double scale = 64, double margin = 0.5, bool clampSine = true)
    : MarginHead(embeddingSize, classes, scale, margin)
{
    private readonly double _cosM = Math.Cos(margin), _sinM = Math.Sin(margin);
    private readonly double _threshold = Math.Cos(Math.PI - margin);
    private readonly double _fallback = Math.Sin(Math.PI - margin) * margin;

    protected override Tensor ApplyMargin(Tensor targetCosine)
    {
        using var scope = DisposeScope.Enter();
        Tensor sineSquared = 1.0 - targetCosine.Square();
        Tensor sine = (clampSine ? sineSquared.ClampMin(0) : sineSquared).Sqrt();
        Tensor withMargin = targetCosine * _cosM - sine * _sinM; // cos(θ + m)
        return Tensors.Where(targetCosine.Gt(_threshold), withMargin, targetCosine - _fallback).MoveToOuterScope();
    }
}
