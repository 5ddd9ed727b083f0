using PocketNet.Torch;

namespace PocketNet.Models.Heads;

/// <summary>
/// ArcFace (additive angular margin, Deng et al. 2019): the target logit becomes s·cos(θ + m) while
/// θ + m &lt; π; past that point cos(θ + m) would rise again, so the reference falls back to
/// s·(cos θ − m·sin m), which keeps the logit decreasing in θ.
/// </summary>
public sealed class ArcFaceHead(int embeddingSize, int classes, double scale = 64, double margin = 0.5)
    : MarginHead(embeddingSize, classes, scale, margin)
{
    private readonly double _cosM = Math.Cos(margin), _sinM = Math.Sin(margin);
    private readonly double _threshold = Math.Cos(Math.PI - margin);
    private readonly double _fallback = Math.Sin(Math.PI - margin) * margin;

    protected override Tensor ApplyMargin(Tensor targetCosine)
    {
        using var scope = DisposeScope.Enter();
        // clamped at 0: the cosine may exceed 1 by rounding (and by the reference's clamp), where the
        // reference's sqrt would return NaN; identical to it everywhere else
        Tensor sine = (1.0 - targetCosine.Square()).ClampMin(0).Sqrt();
        Tensor withMargin = targetCosine * _cosM - sine * _sinM; // cos(θ + m)
        return Tensors.Where(targetCosine.Gt(_threshold), withMargin, targetCosine - _fallback).MoveToOuterScope();
    }
}
