using PocketNet.Torch.Optim;

namespace PocketNet.Torch.Tests.Optim;

/// <summary>
/// Dynamic loss scaling's rule (torch.cuda.amp.GradScaler's): unscaled gradients equal the unscaled backward's,
/// an infinity anywhere skips the step and halves the scale, a run of finite steps doubles it. The float16 autocast
/// it serves needs CUDA; the rule itself is device independent and checked here in float32.
/// </summary>
public sealed class GradScalerTests
{
    private static Tensor Gradient(double scale, GradScaler? scaler)
    {
        Tensor w = Tensors.FromArray<float>([0.5f, -2f, 3f]).RequiresGradient();
        Tensor loss = (w * w * w).Sum() * scale;
        (scaler?.ScaleLoss(loss) ?? loss).Backward();
        return w;
    }

    [Fact]
    public void UnscaledGradientsEqualTheUnscaledBackward()
    {
        using var scope = DisposeScope.Enter();
        var scaler = new GradScaler(initialScale: 1024);
        Tensor scaled = Gradient(1, scaler);
        Assert.Equal([768f, 12f * 1024, 27f * 1024], scaled.Grad!.ToArray<float>()); // 3w² · 1024 before unscaling
        Assert.True(scaler.Unscale([scaled]));
        Assert.Equal([0.75f, 12f, 27f], scaled.Grad!.ToArray<float>()); // 3w²
        Assert.Equal(1024, scaler.Scale);
    }

    [Fact]
    public void AnOverflowSkipsTheStepAndHalvesTheScale()
    {
        using var scope = DisposeScope.Enter();
        var scaler = new GradScaler(initialScale: 65536, growthInterval: 3);
        scaler.Update(finite: true);
        Tensor overflowing = Gradient(1e35, scaler); // 3w² · 1e35 · 65536 exceeds float32's 3.4e38
        Assert.False(scaler.Unscale([overflowing]));
        scaler.Update(finite: false);
        Assert.Equal(32768, scaler.Scale);
        Assert.Equal(0, scaler.GrowthTracker);
    }

    [Fact]
    public void AFullIntervalOfFiniteStepsDoublesTheScale()
    {
        var scaler = new GradScaler(initialScale: 8, growthInterval: 3);
        scaler.Update(true);
        scaler.Update(true);
        Assert.Equal(8, scaler.Scale);
        Assert.Equal(2, scaler.GrowthTracker);
        scaler.Update(true);
        Assert.Equal(16, scaler.Scale);
        Assert.Equal(0, scaler.GrowthTracker);
        scaler.Restore(4, 1); // a resumed run continues from its checkpoint's scale
        scaler.Update(true);
        scaler.Update(true);
        Assert.Equal(8, scaler.Scale);
    }
}
