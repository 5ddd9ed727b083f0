using PocketNet.Models.Heads;
using PocketNet.Models.Registry;
using PocketNet.Torch;
using PocketNet.Torch.NN;
using PocketNet.Torch.Optim;

namespace PocketNet.Bench.Models;

/// <summary>
/// Our side of one variant: the registry's network, an ArcFace head, the trainer's two SGD optimisers and one
/// fixed random batch. <see cref="Run"/> times one iteration of a case, each inside its own DisposeScope whose
/// closing is timed too.
/// </summary>
public sealed class OurModel : IDisposable
{
    public const double Clip = 5, Momentum = 0.9, WeightDecay = 5e-4, LearningRate = 0.1;

    private readonly Module<Tensor, Tensor> _backbone;
    private readonly ArcFaceHead _head;
    private readonly Sgd _backboneOptimizer, _headOptimizer;
    private readonly Tensor _images, _labels;
    private readonly Device _device;

    public OurModel(string model, int batch, int size, int classes, Device device, int seed)
    {
        _device = device;
        Engine.ManualSeed((ulong)seed);
        ModelConfig config = ModelRegistry.Resolve(model);
        _backbone = ModelRegistry.Create(config);
        _backbone.To(device);
        _head = new ArcFaceHead(config.EmbeddingSize, classes);
        _head.To(device);
        _backboneOptimizer = new Sgd(_backbone.Parameters(), LearningRate, Momentum, weightDecay: WeightDecay);
        _headOptimizer = new Sgd(_head.Parameters(), LearningRate, Momentum, weightDecay: WeightDecay);
        Engine.ManualSeed((ulong)seed + 1);
        using (DisposeScope.Enter())
        {
            _images = Tensors.Randn([batch, 3, size, size]).To(device).DetachFromScope();
            _labels = Tensors.RandInt(0, classes, [batch]).To(device).DetachFromScope();
        }
        Parameters = _backbone.ParameterCount();
        using (DisposeScope.Enter())
        {
            WeightsChecksum = _backbone.StateDict().Concat(_head.StateDict()).Sum(kv => Checksum(kv.Value));
            InputChecksum = Checksum(_images) + Checksum(_labels);
        }
    }

    public long Parameters { get; }

    /// <summary>The registry's network; the eval benchmark exports it to ONNX and embeds through it.</summary>
    public Module<Tensor, Tensor> Backbone => _backbone;

    /// <summary>The fixed random batch [batch, 3, size, size], the same on the python side.</summary>
    public Tensor Images => _images;

    /// <summary>
    /// sum(|x| · (1 + i mod 7)) over every weight (i: flat index), in float64: equal on both sides when the two
    /// draw the same initial weights from the same seed (both run libtorch's generator).
    /// </summary>
    public double WeightsChecksum { get; }

    public double InputChecksum { get; }

    private static double Checksum(Tensor t)
    {
        Tensor flat = t.Detach().To(ScalarType.Float64).Flatten();
        Tensor weights = Tensors.Arange(0, flat.NumEl, type: ScalarType.Float64, device: flat.Device).Remainder(7) + 1;
        return (flat.Abs() * weights).Sum().Item();
    }

    public Sample Run(string benchCase)
    {
        bool training = benchCase == "train";
        // Mode changes are outside the timed region on both sides (the trainer sets them once per epoch).
        _backbone.Train(training);
        _head.Train(training);
        var clock = new PhaseClock(() => Engine.Synchronize(_device));
        switch (benchCase)
        {
            case "train": TrainStep(clock); break;
            case "infer": InferStep(clock, flip: false); break;
            case "infer_flip": InferStep(clock, flip: true); break;
            default: throw new ArgumentException($"unknown case '{benchCase}'");
        }
        return clock.Finish();
    }

    /// <summary>RecognitionTrainer's step without a teacher, phase by phase.</summary>
    private void TrainStep(PhaseClock clock)
    {
        using var scope = DisposeScope.Enter();
        Tensor embeddings = _backbone.Forward(_images);
        clock.Mark("forward");
        Tensor logits = _head.Forward(Functional.Normalize(embeddings), _labels);
        Tensor loss = Functional.CrossEntropy(logits, _labels);
        clock.Mark("head_loss");
        loss.Backward();
        clock.Mark("backward");
        GradientClipping.ClipGradNorm(_backbone.Parameters(), Clip);
        clock.Mark("clip");
        _backboneOptimizer.Step();
        _headOptimizer.Step();
        clock.Mark("sgd_step");
        _backboneOptimizer.ZeroGrad();
        _headOptimizer.ZeroGrad();
        clock.Mark("zero_grad");
        loss.Item();
        clock.Mark("item");
    }

    /// <summary>EmbeddingExtractor's batch: eval mode, no gradients, optionally plus the mirrored batch.</summary>
    private void InferStep(PhaseClock clock, bool flip)
    {
        using var noGrad = Engine.NoGrad();
        using var scope = DisposeScope.Enter();
        Tensor embeddings = _backbone.Forward(_images);
        if (flip) embeddings = embeddings + _backbone.Forward(_images.FlipHorizontal());
        clock.Mark("forward");
    }

    public void Dispose()
    {
        _backboneOptimizer.Dispose();
        _headOptimizer.Dispose();
        _backbone.Dispose();
        _head.Dispose();
        _images.Dispose();
        _labels.Dispose();
    }
}
