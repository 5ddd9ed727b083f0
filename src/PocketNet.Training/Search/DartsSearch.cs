using System.Diagnostics;
using System.Text.Json;
using PocketNet.Data.Training;
using PocketNet.Models.Registry;
using PocketNet.Models.Search;
using PocketNet.Models.SearchSpace;
using PocketNet.Torch;
using PocketNet.Torch.Distributed;
using PocketNet.Torch.NN;
using PocketNet.Torch.Optim;
using PocketNet.Torch.Optim.Schedules;
using PocketNet.Training.Distributed;
using PocketNet.Training.Loading;
using PocketNet.Training.Progress;
using PocketNet.Training.Runs;

namespace PocketNet.Training.Search;

/// <summary>
/// A DARTS architecture search as PocketNet ran it (the reference's NAS/searchs/search.py): the training
/// set is split in two seeded halves, the supernet's weights learn on the first and its alphas on the
/// second. Each step takes one batch of each: the architecture gradient (first or unrolled second
/// order, <see cref="Architect"/>) on the validation batch, then a clipped SGD step of the weights on
/// the training batch, and the Adam step of the alphas (after the weight step, by default, as the
/// reference). The weights' learning rate follows a cosine per epoch. After every epoch the genotype is
/// derived and reported with the validation top-1, and a checkpoint is written; <see cref="Run"/>
/// resumes from the newest one. The result, model/genotype.txt and model/config.json, describes a
/// cell network of that genotype that <see cref="Recognition.RecognitionTrainer"/> can train.
/// The weights' half is augmented by random horizontal flips only (the reference also resizes CASIA
/// to 128 and crops 112 at random); the alphas' half is not augmented, as in the reference. The
/// supernet takes the data's image size (112 as in the paper; any multiple of 16 works).
/// Data parallel when it is one rank of several (<see cref="TrainingWorld"/>): each rank reads its share of both
/// halves' batches (--batch is per rank), and every gradient is averaged over the ranks (the weights' by the
/// data-parallel reducer, the architecture gradient inside <see cref="Architect"/>), so that with --sync-bn N ranks
/// search as one process with N times the batch does. Rank 0 writes events, checkpoints and the result.
/// </summary>
public sealed class DartsSearch(
    SearchOptions options,
    ITrainingSet data,
    RunDirectory run,
    IProgress<TrainingEvent>? observer = null,
    TrainingWorld? world = null)
{
    private readonly TrainingWorld _world = world ?? TrainingWorld.Single();
    private DataParallel? _parallel;

    public const string SupernetFile = "supernet.safetensors";
    public const string WeightOptimizerFile = "optimizer-weights.safetensors";
    public const string AlphaOptimizerFile = "optimizer-alphas.safetensors";
    public const string GenotypeFile = "genotype.txt";
    public const string ConfigFile = "config.json";

    /// <summary>Searches to the last epoch (or until cancelled) and returns the result's folder (model/).</summary>
    public string Run(CancellationToken cancellation = default)
    {
        options.Validate();
        if (data.ClassCount < 2) throw new ArgumentException($"{data.Name} has {data.ClassCount} identities; a search needs at least 2");
        if (_world.IsMain) run.Initialise(options);
        _world.Barrier(); // the other ranks read run.json and checkpoints only once rank 0 has checked them
        Device device = Device.Parse(_world.DeviceFor(options.Device));
        using var log = DistributedRun.OpenLog(run, _world, observer);

        var (trainHalf, validationHalf) = TrainingSubset.Halves(data, options.Seed);
        var trainLoader = new BatchLoader(trainHalf, options.BatchSize, options.Seed, sampler: _world.Sampler);
        // The reference validates on images without augmentation.
        var validationLoader = new BatchLoader(validationHalf, options.BatchSize, options.Seed + 1, randomFlip: false, sampler: _world.Sampler);

        Engine.ManualSeed((ulong)options.Seed);
        using SearchNetwork network = CreateNetwork();
        network.To(device);
        using SearchNetwork? unrolled = options.SecondOrder ? CreateNetwork() : null;
        unrolled?.To(device);
        using var weightOptimizer = new Sgd(network.Weights(), options.WeightLearningRate, options.WeightMomentum, weightDecay: options.WeightDecay);
        using var alphaOptimizer = new Adam(network.Alphas(), options.AlphaLearningRate, options.AlphaBeta1, options.AlphaBeta2,
            weightDecay: options.AlphaWeightDecay);
        var architect = new Architect(network, unrolled, options.WeightMomentum, options.WeightDecay, group: _world.Group);
        var schedule = new CosineSchedule(options.WeightLearningRate, options.Epochs, options.WeightLearningRateMin);

        var checkpoints = new CheckpointFiles(run, [(SupernetFile, network)],
            [(WeightOptimizerFile, weightOptimizer), (AlphaOptimizerFile, alphaOptimizer)]);
        SearchPosition position = checkpoints.LoadNewest<SearchPosition>(log) ?? new SearchPosition(0, 0);
        using DataParallel? parallel = _parallel = _world.Parallelise([network], options.Distributed);
        // w' is evaluated in training mode too: its batch norm must see the global batch as the supernet's does.
        if (parallel is { SyncBatchNorm: true } && unrolled is not null)
            foreach (BatchNorm bn in unrolled.NamedModules().Select(m => m.Value).OfType<BatchNorm>()) bn.SyncGroup = parallel.Group;
        int stepsPerEpoch = Math.Min(trainLoader.BatchesPerEpoch, validationLoader.BatchesPerEpoch);
        long totalSteps = (long)stepsPerEpoch * options.Epochs;
        if (position.GlobalStep > 0)
            log.Report(StepProgress.Resumed(position.CompletedEpochs, options.Epochs, stepsPerEpoch, position.GlobalStep, totalSteps,
                schedule.LearningRateAt(Math.Min(position.CompletedEpochs, options.Epochs - 1))));
        var stopwatch = Stopwatch.StartNew();
        long stepsThisSession = 0;

        for (int epoch = position.CompletedEpochs; epoch < options.Epochs; epoch++)
        {
            // The reference reads the rate at the start of the epoch and steps CosineAnnealingLR after it.
            double lr = schedule.LearningRateAt(epoch);
            weightOptimizer.LearningRate = lr;
            Engine.ManualSeed((ulong)options.Seed * 1_000_003UL + (ulong)epoch);
            network.Train();
            var sums = new Dictionary<string, double>();
            int step = 0;
            using (IEnumerator<Batch> trainBatches = trainLoader.Epoch(epoch, device, cancellation: cancellation).GetEnumerator())
            using (IEnumerator<Batch> validationBatches = validationLoader.Epoch(epoch, device, cancellation: cancellation).GetEnumerator())
            {
                while (step < stepsPerEpoch && trainBatches.MoveNext() && validationBatches.MoveNext())
                {
                    using (Batch train = trainBatches.Current)
                    using (Batch validation = validationBatches.Current)
                    using (DisposeScope.Enter())
                    {
                        var losses = Step(network, architect, train, validation, lr, weightOptimizer, alphaOptimizer);
                        foreach (var (name, value) in losses) sums[name] = sums.GetValueOrDefault(name) + value;
                        step++;
                        position = position with { GlobalStep = position.GlobalStep + 1 };
                        stepsThisSession++;
                        if (step % options.LogEverySteps == 0 || step == stepsPerEpoch)
                            log.Report(Progress(epoch, step, stepsPerEpoch, position.GlobalStep, totalSteps, losses, lr, stepsThisSession, stopwatch));
                    }
                    cancellation.ThrowIfCancellationRequested();
                }
            }

            double accuracy = ValidationAccuracy(network, validationLoader, epoch, device, cancellation);
            Genotype genotype = network.DeriveGenotype();
            log.Report(new GenotypeDerived(epoch + 1, genotype.ToString(), accuracy));
            position = new SearchPosition(epoch + 1, position.GlobalStep, position.BestGenotype, position.BestAccuracy, position.BestEpoch);
            if (position.BestGenotype is null || accuracy >= position.BestAccuracy) // ties: the later epoch, as the reference's "<="
                position = position with { BestGenotype = genotype.ToString(), BestAccuracy = accuracy, BestEpoch = epoch + 1 };
            string checkpoint = _world.IsMain
                ? checkpoints.Save(position, folder => File.WriteAllText(Path.Combine(folder, GenotypeFile), genotype + Environment.NewLine))
                : run.CheckpointPath(position.CompletedEpochs);
            _world.Barrier(); // every rank starts the next epoch (or a resume) from a written checkpoint
            log.Report(new EpochCompleted(epoch + 1, position.GlobalStep, checkpoint, sums.ToDictionary(kv => kv.Key, kv => kv.Value / Math.Max(step, 1))));
        }

        Genotype result = options.KeepBestGenotype && position.BestGenotype is { } best
            ? Genotype.Parse(best)
            : network.DeriveGenotype();
        log.Report(new RunMessage(options.KeepBestGenotype
            ? $"best genotype (epoch {position.BestEpoch}, validation top-1 {position.BestAccuracy:P2}): {result}"
            : $"final genotype: {result}"));
        return _world.IsMain ? SaveResult(result) : run.ModelPath;
    }

    /// <summary>The network a search result describes, sized by the options' final width, depth and embedding.</summary>
    public static ModelConfig ResultConfig(Genotype genotype, SearchOptions options) =>
        ModelRegistry.ForGenotype(genotype, options.FinalChannels, options.FinalCells, options.FinalEmbedding);

    private SearchNetwork CreateNetwork() => new(data.ClassCount, options.Channels, options.Cells, options.Nodes,
        options.StemMultiplier, data.ImageSize);

    private Dictionary<string, double> Step(SearchNetwork network, Architect architect, Batch train, Batch validation, double lr,
        Optimizer weightOptimizer, Optimizer alphaOptimizer)
    {
        _parallel?.BeforeForward();
        // Architecture gradient on the validation batch (ξ = the weights' current learning rate).
        alphaOptimizer.ZeroGrad();
        double validationLoss = architect.Backward(train.Images, train.Labels, validation.Images, validation.Labels, lr, weightOptimizer);
        if (!options.ReferenceStepOrder) alphaOptimizer.Step();

        // Weight step on the training batch. Its backward reaches the alphas as well: with the
        // reference's order their gradient gains the training loss's before Adam applies it.
        weightOptimizer.ZeroGrad();
        Tensor loss = Functional.CrossEntropy(network.Forward(train.Images), train.Labels);
        _parallel?.BeforeBackward();
        loss.Backward();
        _parallel?.AfterBackward(); // weights' and alphas' gradients are the averages over ranks from here on
        if (options.GradientClip is { } clip) GradientClipping.ClipGradNorm(network.Weights(), clip);
        weightOptimizer.Step();
        if (options.ReferenceStepOrder) alphaOptimizer.Step();
        alphaOptimizer.ZeroGrad();
        weightOptimizer.ZeroGrad();
        return new Dictionary<string, double> { ["train"] = loss.Item(), ["val"] = validationLoss };
    }

    /// <summary>Top-1 accuracy of the supernet (evaluation mode) on the first validation batches of the epoch's order (all ranks' shares).</summary>
    private double ValidationAccuracy(SearchNetwork network, BatchLoader loader, int epoch, Device device, CancellationToken cancellation)
    {
        network.Eval();
        long correct = 0, seen = 0;
        int limit = options.ValidationBatches == 0 ? loader.BatchesPerEpoch : Math.Min(options.ValidationBatches, loader.BatchesPerEpoch);
        int batches = 0;
        using (Engine.NoGrad())
            foreach (Batch batch in loader.Epoch(epoch, device, cancellation: cancellation))
            {
                using (batch)
                using (DisposeScope.Enter())
                {
                    Tensor predicted = network.Forward(batch.Images).ArgMax(1);
                    correct += predicted.Eq(batch.Labels).Sum().ItemLong();
                    seen += batch.Size;
                }
                if (++batches >= limit) break;
            }
        network.Train();
        if (_world.Group is { } group)
            using (DisposeScope.Enter())
            {
                Tensor counts = Tensors.FromArray<double>([correct, seen]);
                group.AllReduce(ReduceOp.Sum, counts);
                double[] total = counts.ToArray<double>();
                (correct, seen) = ((long)total[0], (long)total[1]);
            }
        return seen == 0 ? 0 : (double)correct / seen;
    }

    private StepProgress Progress(int epoch, int step, int stepsPerEpoch, long globalStep, long totalSteps,
        Dictionary<string, double> losses, double lr, long stepsThisSession, Stopwatch stopwatch)
    {
        double seconds = stopwatch.Elapsed.TotalSeconds;
        // Each step consumes a training and a validation batch.
        double imagesPerSecond = seconds > 0 ? stepsThisSession * 2.0 * options.BatchSize / seconds : 0;
        double secondsPerStep = stepsThisSession > 0 ? seconds / stepsThisSession : 0;
        return new StepProgress(epoch + 1, options.Epochs, step, stepsPerEpoch, globalStep, totalSteps, losses, lr,
            imagesPerSecond, TimeSpan.FromSeconds(secondsPerStep * (totalSteps - globalStep)));
    }

    private string SaveResult(Genotype genotype) =>
        run.WriteModel(folder =>
        {
            File.WriteAllText(Path.Combine(folder, GenotypeFile), genotype + Environment.NewLine);
            File.WriteAllText(Path.Combine(folder, ConfigFile), JsonSerializer.Serialize(ResultConfig(genotype, options), EventLog.IndentedJsonOptions));
        });
}
