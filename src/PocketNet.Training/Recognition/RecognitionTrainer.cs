using System.Diagnostics;
using System.Text.Json;
using PocketNet.Data.Pairs;
using PocketNet.Data.Training;
using PocketNet.Evaluation;
using PocketNet.Evaluation.Verification;
using PocketNet.Models.Heads;
using PocketNet.Models.Registry;
using PocketNet.Torch;
using PocketNet.Torch.NN;
using PocketNet.Torch.Optim;
using PocketNet.Torch.Distributed;
using PocketNet.Training.Distributed;
using PocketNet.Training.Loading;
using PocketNet.Training.Progress;
using PocketNet.Training.Runs;

namespace PocketNet.Training.Recognition;

/// <summary>
/// Trains a face-embedding backbone with a margin head, optionally distilling a teacher, as the
/// PocketNet reference does: per step, embeddings are L2-normalised, loss = CE(head logits) [+ w·MSE to
/// the normalised teacher embeddings], backward, optional clipping of the backbone's gradient, one optimiser
/// step (SGD, or AdamW with --optimizer adamw) for backbone and head each. The learning rate changes per epoch. After every epoch a checkpoint
/// is written; <see cref="Run"/> resumes from the newest one, so a stopped run continues exactly where
/// its last completed epoch left it (data order, flips and random draws depend only on seed and epoch).
/// </summary>
public sealed class RecognitionTrainer(
    TrainingOptions options,
    ITrainingSet data,
    RunDirectory run,
    IReadOnlyList<PairSet>? validation = null,
    IProgress<TrainingEvent>? observer = null,
    TrainingWorld? world = null)
{
    private readonly TrainingWorld _world = world ?? TrainingWorld.Single();
    private DataParallel? _parallel;
    private PartialFc? _partialFc;
    private GradScaler? _scaler;
    private int _skippedSteps;
    private long _checksDone;

    public const string BackboneFile = MultiStepTeacher.BackboneFile;
    public const string HeadFile = "head.safetensors";
    public const string BackboneOptimizerFile = "optimizer-backbone.safetensors";
    public const string HeadOptimizerFile = "optimizer-head.safetensors";
    public const string WeightsFile = "weights.safetensors";
    public const string ConfigFile = "config.json";

    /// <summary>
    /// The element type of weights and activations; Float64 only for the trajectory tests, where float32 rounding
    /// (PyTorch's as much as ours: one thread against two diverges alike) grows into visible differences over steps.
    /// </summary>
    internal ScalarType ComputeType { get; init; } = ScalarType.Float32;

    /// <summary>Trains to the last epoch (or until cancelled) and returns the finished model's folder.</summary>
    public string Run(CancellationToken cancellation = default)
    {
        options.Validate();
        if (_world.IsMain) run.Initialise(options);
        _world.Barrier(); // the other ranks read run.json and checkpoints only once rank 0 has checked them
        Device device = Device.Parse(_world.DeviceFor(options.Device));
        if (options.Precision == TrainingPrecision.Fp16 && !device.IsCuda)
            throw new ArgumentException($"--precision fp16 needs a CUDA device (float16 autocast with loss scaling), not {device}; on a CPU use bf16");
        using var log = DistributedRun.OpenLog(run, _world, observer);

        Engine.ManualSeed((ulong)options.Seed);
        using Module<Tensor, Tensor> backbone = ModelRegistry.Create(options.Model);
        backbone.To(device);
        if (options.InitWeights is not null) WeightFiles.LoadModule(backbone, options.InitWeights); // a checkpoint, if any, overrides it below
        backbone.To(ComputeType);
        using MarginHead head = CreateHead(options, data.ClassCount);
        // With Partial FC this full head stays on the CPU: it is what checkpoints hold, the device trains a shard of it.
        head.To(options.SampleRate is null ? device : Device.Cpu).To(ComputeType);
        double baseLearningRate = options.EffectiveLearningRate * _world.Size; // --batch is per rank: lr follows the global batch
        using Optimizer backboneOptimizer = CreateOptimizer(options, backbone.Parameters(), baseLearningRate);
        using Optimizer headOptimizer = CreateOptimizer(options, head.Parameters(), baseLearningRate);
        using ITeacherProvider? teachers = CreateTeachers(options, device);

        var checkpoints = new CheckpointFiles(run,
            [(BackboneFile, backbone), (HeadFile, head)],
            [(BackboneOptimizerFile, backboneOptimizer), (HeadOptimizerFile, headOptimizer)]);
        var position = checkpoints.LoadNewest<RunPosition>(log) ?? new RunPosition(0, 0);
        _scaler = options.Precision == TrainingPrecision.Fp16 ? new GradScaler() : null;
        if (_scaler is not null && position.LossScale is { } scale) _scaler.Restore(scale, position.LossScaleTracker);
        using PartialFc? partialFc = _partialFc = options.SampleRate is { } rate
            ? new PartialFc(head, classes => CreateHead(options, classes), _world.Group, device, rate, options.Seed)
            : null;
        using Optimizer? shardOptimizer = partialFc is null ? null : CreateOptimizer(options, partialFc.Shard.Parameters(), baseLearningRate);
        if (partialFc is not null) partialFc.TakeOptimizerState(headOptimizer, shardOptimizer!);
        MarginHead trainedHead = partialFc?.Shard ?? head;
        Optimizer trainedHeadOptimizer = shardOptimizer ?? headOptimizer;
        // Partial FC's centres are each rank's own: only the backbone is data parallel then.
        using DataParallel? parallel = _parallel = _world.Parallelise(partialFc is null ? [backbone, head] : [backbone], options.Distributed);
        var loader = new BatchLoader(data, options.BatchSize, options.Seed, sampler: _world.Sampler);
        long totalSteps = (long)loader.BatchesPerEpoch * options.Epochs;
        var work = new TrainingWork(totalSteps, loader.BatchesPerEpoch, options.BatchSize, options.VerifyEverySteps,
            _world.IsMain ? (validation ?? []).Sum(v => (long)v.Images.Count) : 0);
        _checksDone = work.ChecksThrough(position.GlobalStep);
        if (position.GlobalStep > 0) log.Report(Resumed(position, loader, totalSteps, baseLearningRate, work));
        var stopwatch = Stopwatch.StartNew(); // training steps only: stopped while a check runs
        long stepsThisSession = 0;

        for (int epoch = position.CompletedEpochs; epoch < options.Epochs; epoch++)
        {
            double lr = baseLearningRate * options.LearningRateFactor(epoch);
            backboneOptimizer.LearningRate = lr;
            trainedHeadOptimizer.LearningRate = lr;
            // Random draws inside the network (dropout) depend only on seed and epoch, for exact resumption.
            Engine.ManualSeed((ulong)options.Seed * 1_000_003UL + (ulong)epoch);
            Module<Tensor, Tensor>? teacher = teachers?.ForEpoch(epoch);
            teacher?.To(ComputeType);
            if (teachers is not null) log.Report(new RunMessage($"epoch {epoch + 1}: teacher {teachers.SourceFor(epoch)}"));
            backbone.Train();
            trainedHead.Train();
            var sums = new Dictionary<string, double>();
            int step = 0;
            foreach (Batch batch in loader.Epoch(epoch, device, cancellation: cancellation))
            {
                using (batch)
                using (DisposeScope.Enter())
                {
                    position = position with { GlobalStep = position.GlobalStep + 1 };
                    var losses = Step(backbone, trainedHead, teacher, batch, backboneOptimizer, trainedHeadOptimizer, position.GlobalStep);
                    foreach (var (name, value) in losses) sums[name] = sums.GetValueOrDefault(name) + value;
                    step++;
                    stepsThisSession++;
                    // the first step too: on a CPU the first ten steps can take minutes, and a silent start looks hung
                    work.StepsTook(stepsThisSession, stopwatch.Elapsed.TotalSeconds);
                    if (step == 1 || step % options.LogEverySteps == 0 || step == loader.BatchesPerEpoch)
                        log.Report(Progress(epoch, step, loader, position.GlobalStep, losses, lr, stepsThisSession, stopwatch, work));
                    if (options.VerifyEverySteps > 0 && position.GlobalStep % options.VerifyEverySteps == 0 && _world.IsMain)
                        Verify(backbone, position.GlobalStep, log, work, stopwatch, cancellation);
                }
                cancellation.ThrowIfCancellationRequested();
            }
            if (options.VerifyEverySteps == 0 && _world.IsMain) Verify(backbone, position.GlobalStep, log, work, stopwatch, cancellation);
            position = new RunPosition(epoch + 1, position.GlobalStep) { LossScale = _scaler?.Scale, LossScaleTracker = _scaler?.GrowthTracker ?? 0 };
            if (_skippedSteps > 0)
                log.Report(new RunMessage($"epoch {epoch + 1}: {_skippedSteps} step(s) skipped for float16 overflow; loss scale now {_scaler!.Scale:G}"));
            _skippedSteps = 0;
            partialFc?.GatherInto(head, headOptimizer, shardOptimizer!);
            string checkpoint = _world.IsMain ? checkpoints.Save(position) : run.CheckpointPath(position.CompletedEpochs);
            _world.Barrier(); // every rank starts the next epoch (or a resume) from a written checkpoint
            log.Report(new EpochCompleted(epoch + 1, position.GlobalStep, checkpoint, sums.ToDictionary(kv => kv.Key, kv => kv.Value / Math.Max(step, 1))));
        }

        return _world.IsMain ? SaveModel(backbone) : run.ModelPath;
    }

    /// <summary>
    /// The optimiser of one parameter group (backbone, head or Partial FC shard), all three alike: SGD with momentum
    /// and L2 decay (the PocketNet scripts), or AdamW with decoupled decay (arcface_torch's adamw, EdgeFace's recipe).
    /// </summary>
    public static Optimizer CreateOptimizer(TrainingOptions options, IEnumerable<Tensor> parameters, double learningRate) => options.Optimizer switch
    {
        TrainingOptimizer.AdamW => new AdamW(parameters, learningRate, weightDecay: options.WeightDecay),
        _ => new Sgd(parameters, learningRate, options.Momentum, weightDecay: options.WeightDecay),
    };

    public static MarginHead CreateHead(TrainingOptions options, int classes) => options.Mode == TrainingMode.CosFace
        ? new CosFaceHead(options.Model.EmbeddingSize, classes, options.Scale, options.EffectiveMargin)
        : new ArcFaceHead(options.Model.EmbeddingSize, classes, options.Scale, options.EffectiveMargin, options.ClampArcFaceSine);

    private Dictionary<string, double> Step(Module<Tensor, Tensor> backbone, MarginHead head, Module<Tensor, Tensor>? teacher,
        Batch batch, Optimizer backboneOptimizer, Optimizer headOptimizer, long globalStep)
    {
        _parallel?.BeforeForward();
        Tensor images = batch.Images.DType == ComputeType ? batch.Images : batch.Images.To(ComputeType);
        Tensor features;
        // --precision bf16|fp16: the backbone under autocast, the margin head and the losses in float32 (as arcface_torch does)
        ScalarType? autocast = options.Precision switch
        {
            TrainingPrecision.Bf16 => ScalarType.BFloat16,
            TrainingPrecision.Fp16 => ScalarType.Float16,
            _ => null,
        };
        using (autocast is { } type ? Engine.Autocast(type, batch.Images.Device) : default(AutocastScope?))
            features = backbone.Forward(images);
        Tensor embeddings = Functional.Normalize(features.DType is ScalarType.BFloat16 or ScalarType.Float16 ? features.To(ScalarType.Float32) : features);
        var (ce, loss) = ClassificationLoss(embeddings, head, batch.Labels, globalStep);
        Tensor? kd = null;
        if (teacher is not null)
        {
            Tensor target;
            using (Engine.NoGrad()) target = Functional.Normalize(teacher.Forward(images));
            kd = Functional.MseLoss(embeddings, target) * options.DistillationWeight;
            loss = loss + kd;
        }
        _parallel?.BeforeBackward();
        (_scaler?.ScaleLoss(loss) ?? loss).Backward();
        _parallel?.AfterBackward(); // gradients are the average over ranks from here on (clipping sees the global gradient)
        if (_scaler is null || UnscaledGradientsFinite(backbone, head))
        {
            if (options.GradientClip is { } clip) GradientClipping.ClipGradNorm(backbone.Parameters(), clip);
            backboneOptimizer.Step();
            headOptimizer.Step();
        }
        else _skippedSteps++; // fp16 overflow: no step, the scale was halved
        backboneOptimizer.ZeroGrad();
        headOptimizer.ZeroGrad();
        // Read after the step, so that on a GPU reading the losses does not stall the work queued before it.
        // (Partial FC back-propagates a surrogate, so the total is the sum of the reported parts, not loss.Item().)
        var losses = new Dictionary<string, double> { ["ce"] = ce.Item() };
        if (kd is not null) losses["kd"] = kd.Item();
        losses["total"] = losses.Values.Sum();
        return losses;
    }

    /// <summary>
    /// fp16: divides the loss scale out of the gradients it multiplied (Partial FC's centres took theirs unscaled) and
    /// updates the scale. True when the step may go on; every rank reaches the same verdict, since a rank whose
    /// gradients overflowed must not step alone.
    /// </summary>
    private bool UnscaledGradientsFinite(Module backbone, MarginHead head)
    {
        bool finite = _scaler!.Unscale(_partialFc is null ? [.. backbone.Parameters(), .. head.Parameters()] : backbone.Parameters());
        if (_partialFc is not null) finite &= GradScaler.AllFinite(head.Parameters());
        if (_world.Group is { } group)
            using (DisposeScope.Enter())
            {
                Tensor overflowed = Tensors.Scalar(finite ? 0 : 1);
                group.AllReduce(ReduceOp.Max, overflowed);
                finite = overflowed.Item() == 0;
            }
        _scaler.Update(finite);
        return finite;
    }

    /// <summary>
    /// The cross-entropy of the margin head to report, and what to back-propagate for it: the loss itself, or with
    /// Partial FC (whose head has already taken its own gradient) the surrogate Σ embeddings·g, whose gradient is g.
    /// </summary>
    private (Tensor Reported, Tensor Loss) ClassificationLoss(Tensor embeddings, MarginHead head, Tensor labels, long globalStep)
    {
        if (_partialFc is null)
        {
            Tensor ce = Functional.CrossEntropy(head.Forward(embeddings, labels), labels);
            return (ce, ce);
        }
        PartialFcStep step = _partialFc.Step(embeddings, labels, globalStep);
        return (Tensors.Scalar(step.Loss, ScalarType.Float64), (embeddings * step.EmbeddingGradient).Sum());
    }

    private StepProgress Progress(int epoch, int step, BatchLoader loader, long globalStep,
        Dictionary<string, double> losses, double lr, long stepsThisSession, Stopwatch stopwatch, TrainingWork work)
    {
        double seconds = stopwatch.Elapsed.TotalSeconds;
        double imagesPerSecond = seconds > 0 ? stepsThisSession * options.BatchSize / seconds : 0;
        return new StepProgress(epoch + 1, options.Epochs, step, loader.BatchesPerEpoch, globalStep, work.TotalSteps, losses, lr,
            imagesPerSecond, work.Remaining(globalStep, _checksDone)) { RunFraction = work.Fraction(globalStep, _checksDone) };
    }

    private StepProgress Resumed(RunPosition position, BatchLoader loader, long totalSteps, double baseLearningRate, TrainingWork work) =>
        StepProgress.Resumed(position.CompletedEpochs, options.Epochs, loader.BatchesPerEpoch, position.GlobalStep, totalSteps,
            baseLearningRate * options.LearningRateFactor(Math.Min(position.CompletedEpochs, options.Epochs - 1)),
            work.Fraction(position.GlobalStep, _checksDone));

    /// <summary>
    /// Checks the weights of <paramref name="globalStep"/> on every validation pair set by the published protocol,
    /// reporting pairs embedded as it goes; the training clock stands still meanwhile, the check's own is measured.
    /// </summary>
    private void Verify(Module<Tensor, Tensor> backbone, long globalStep, EventLog log, TrainingWork work, Stopwatch training,
        CancellationToken cancellation)
    {
        IReadOnlyList<PairSet> sets = validation ?? [];
        if (sets.Count == 0) return;
        training.Stop();
        var clock = Stopwatch.StartNew();
        long imagesBefore = 0;
        for (int i = 0; i < sets.Count; i++)
        {
            PairSet pairs = sets[i];
            var setClock = Stopwatch.StartNew();
            long offset = imagesBefore;
            int index = i;
            void Report(long imagesDone)
            {
                long checkImages = offset + imagesDone;
                double seconds = clock.Elapsed.TotalSeconds;
                log.Report(new EvaluationProgress(pairs.Name, index, sets.Count, imagesDone / 2, pairs.PairCount, "pairs",
                    seconds > 0 ? checkImages / seconds : 0, work.Remaining(globalStep, _checksDone, checkImages))
                {
                    GlobalStep = globalStep,
                    RunFraction = work.Fraction(globalStep, _checksDone, checkImages),
                });
            }
            Report(0);
            float[][] embeddings = new EmbeddingExtractor(backbone).Extract(pairs.Images, pairs.ImageSize, flip: true, cancellation,
                new CountProgress(pairs.Images.Count, Report));
            double[] distances = PairVerificationProtocol.Distances(embeddings);
            var result = PairVerificationProtocol.Evaluate(pairs.Name, distances, pairs.IsSame);
            log.Report(new VerificationCheck(globalStep, pairs.Name, pairs.IsSynthetic, result.MeanAccuracy, result.StdAccuracy));
            if (i < options.Validation.Count && validation!.Count == options.Validation.Count)
                new CheckRecord(globalStep, options.Validation[i], setClock.Elapsed.TotalSeconds, result, distances, pairs.IsSame).Write(run);
            imagesBefore += pairs.Images.Count;
        }
        work.CheckTook(imagesBefore, clock.Elapsed.TotalSeconds);
        _checksDone++;
        backbone.Train();
        training.Start();
    }

    private string SaveModel(Module backbone) =>
        run.WriteModel(folder =>
        {
            WeightFiles.SaveModule(backbone, Path.Combine(folder, WeightsFile));
            var card = new TrainedModelConfig(options.Model, options.Mode, data.Name, data.IsSynthetic, options.Epochs, backbone.ParameterCount())
            {
                Recipe = options.Recipe.Name,
                Deviations = options.Deviations,
            };
            File.WriteAllText(Path.Combine(folder, ConfigFile), JsonSerializer.Serialize(card, EventLog.IndentedJsonOptions));
        });

    private static ITeacherProvider? CreateTeachers(TrainingOptions options, Device device) => options.Mode switch
    {
        TrainingMode.Distillation => new FixedTeacher(options.Teacher!, options.TeacherWeights!, device),
        TrainingMode.MultiStepDistillation => new MultiStepTeacher(options.Teacher!, options.TeacherRun!, device),
        _ => null,
    };
}

/// <summary>How far a run has come: epochs fully done and optimiser steps taken.</summary>
public sealed record RunPosition(int CompletedEpochs, long GlobalStep) : IRunPosition
{
    /// <summary>--precision fp16: the loss scale and its growth tracker after this position (null otherwise).</summary>
    public double? LossScale { get; init; }

    public int LossScaleTracker { get; init; }
}

/// <summary>The config.json of a finished model folder: how to rebuild the network and where it came from.</summary>
public sealed record TrainedModelConfig(ModelConfig Model, TrainingMode Mode, string TrainingData, bool Synthetic, int Epochs, long Parameters)
{
    /// <summary>The recipe the run followed (null in models trained before recipes were recorded).</summary>
    public string? Recipe { get; init; }

    /// <summary>Every way the run differed from its recipe (see RecipeDeviations).</summary>
    public IReadOnlyList<string>? Deviations { get; init; }

    /// <summary>
    /// A config.json as the trainer writes it, or null when the JSON is a bare ModelConfig (an exported or
    /// imported network's, which has no "model" object).
    /// </summary>
    public static TrainedModelConfig? TryParse(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        return document.RootElement.TryGetProperty("model", out _)
            ? document.RootElement.Deserialize<TrainedModelConfig>(EventLog.JsonOptions)
            : null;
    }
}
