using PocketNet.Application.Evaluation;
using PocketNet.Application.Search;
using PocketNet.Application.Training;
using PocketNet.Data.Registry;
using PocketNet.Models.Registry;
using PocketNet.Models.SearchSpace;
using PocketNet.Torch;
using PocketNet.Training.Options;
using PocketNet.Training.Recipes;
using PocketNet.Training.Recognition;
using PocketNet.Training.Runs;
using PocketNet.Training.Search;

namespace PocketNet.Application.Planning;

/// <summary>
/// Turns a typed request (built by the CLI, the REST API or a form) into the options that are stored and run, with the
/// same defaults and checks whoever asked: impossible requests are refused with an <see cref="ArgumentException"/> that
/// says which field is wrong and why (the API answers it with 400, the CLI prints it). What differs between the hosts
/// that plan is named in <see cref="PlanningHost"/>. <paramref name="benchmarks"/> may be null where no registry is
/// needed (a CLI run without validation sets).
/// </summary>
public sealed class JobPlanner(ITrainingSets trainingSets, BenchmarkRegistry? benchmarks, PlanningHost host)
{
    public const int MaxEpochs = 1000;
    public const int MaxBatch = 4096;
    public const int MaxEmbedding = 4096;

    /// <summary>Cells of a trained genotype network: PocketNetS has 18; far beyond this a request only asks for memory.</summary>
    public const int MaxCells = 64;

    /// <summary>Training processes a request may ask for where its host's devices are unknown (a web host): more GPUs than a host has.</summary>
    public const int MaxProcesses = 64;

    /// <summary>Job and model names shown on every dashboard: as long as an upload's name may be.</summary>
    public const int MaxNameLength = 120;

    public PlanningHost Host => host;

    /// <summary>The same planner on another host (the worker that runs a job plans it again with its own devices).</summary>
    public JobPlanner On(PlanningHost other) => new(trainingSets, benchmarks, other);

    public ModelConfig ResolveModel(TrainingRequest request)
    {
        CheckName(request.Name);
        // Checked here, not when the network is built: that happens when the job runs, long after the request.
        if (request.EmbeddingSize is int embedding && embedding is < 1 or > MaxEmbedding)
            throw new ArgumentException($"embedding size: {embedding} is outside 1..{MaxEmbedding}");
        if (!string.IsNullOrWhiteSpace(request.Genotype))
        {
            Genotype genotype;
            try
            {
                genotype = Genotype.Parse(request.Genotype.Trim());
            }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                throw new ArgumentException($"genotype: {e.Message}", e);
            }
            int cells = request.Cells ?? 18;
            if (cells is < 4 or > MaxCells) throw new ArgumentException($"cells: a genotype network has 4..{MaxCells} cells, not {cells}");
            int channels = request.Channels ?? 16;
            if (channels is < 2 or > 512) throw new ArgumentException($"channels: {channels} is outside 2..512");
            return ModelRegistry.ForGenotype(genotype, channels, cells, request.EmbeddingSize ?? 128, string.IsNullOrWhiteSpace(request.Name) ? null : request.Name.Trim());
        }
        if (string.IsNullOrWhiteSpace(request.Model)) throw new ArgumentException("model: give a registry model name or a genotype");
        if (request.Channels is not null || request.Cells is not null) throw new ArgumentException("channels and cells apply to a genotype only");
        return ModelRegistry.Resolve(request.Model, request.EmbeddingSize);
    }

    /// <summary>
    /// The training options of <paramref name="request"/>. <paramref name="storedTeacher"/> is the teacher the portal
    /// found by <see cref="TrainingRequest.TeacherModelId"/>; the CLI names its teacher in the request itself.
    /// </summary>
    public (TrainingOptions Options, TrainingSetInfo Data) PlanTraining(TrainingRequest request, TeacherSource? storedTeacher = null)
    {
        ModelConfig model = ResolveModel(request);
        TrainingMode mode = request.Mode;
        if (!Enum.IsDefined(mode)) throw new ArgumentException($"mode: {(int)mode} is not {string.Join(", ", TrainingNames.Mode.Names)}");
        if (request.Epochs is int epochs) CheckRange("epochs", epochs, 1, MaxEpochs);
        if (request.BatchSize is int batch) CheckRange("batch size", batch, 2, MaxBatch);
        CheckOpen("learning rate", request.LearningRate, 0, 10);
        CheckInterval("momentum", request.Momentum, 0, 1);
        if (request.Optimizer == TrainingOptimizer.AdamW && request.Momentum is not null)
            throw new ArgumentException("momentum: AdamW has no momentum to set (its betas are fixed at 0.9, 0.999); leave momentum out or use sgd");
        CheckInterval("weight decay", request.WeightDecay, 0, 1);
        CheckInterval("gradient clip", request.GradientClip, 0, 1e6);
        CheckOpen("margin", request.Margin, 0, Math.PI);
        CheckOpen("scale", request.Scale, 0, 1e4);
        CheckInterval("distillation weight", request.DistillationWeight, 0, 1e6);
        CheckRange("verify every", request.VerifyEverySteps, 0, int.MaxValue);
        if (request.LogEverySteps is int every) CheckRange("log every", every, 1, int.MaxValue);
        CheckLocalFiles(request);
        TrainingSetInfo data = trainingSets.Get(request.TrainingSet);
        CheckBenchmarks(request.Benchmarks, "benchmarks");
        CheckBenchmarks(request.Validation, "validation");
        if (request.Validation.Any(v => Registry("validation").Get(v).Protocol != BenchmarkProtocol.Pairs))
            throw new ArgumentException("validation: only pair benchmarks (LFW, CFP-FP, AgeDB-30, ...) can be checked during training");

        TeacherSource? teacher = storedTeacher ?? LocalTeacher(request, model);
        bool distils = mode is TrainingMode.Distillation or TrainingMode.MultiStepDistillation;
        if (distils)
        {
            string modeName = TrainingNames.Mode.NameOf(mode);
            if (teacher?.Config is null || (mode == TrainingMode.Distillation && teacher.Weights is null))
                throw new ArgumentException(host.LocalFiles
                    ? $"teacher: {modeName} needs a teacher network and its weights (--teacher and --teacher-weights, or --teacher-run)"
                    : $"teacher: {modeName} needs a stored teacher model with weights (teacherModelId)");
            if (mode == TrainingMode.MultiStepDistillation && teacher.Run is null)
                throw new ArgumentException(host.LocalFiles
                    ? "teacher: multi-step KD needs the teacher's run folder (--teacher-run), whose per-epoch checkpoints it reads"
                    : $"teacher: multi-step KD needs a teacher trained by this portal (its run's per-epoch checkpoints); {teacher.Name} has none");
        }

        TrainingRecipe recipe = ResolveRecipe(request.Recipe);
        TrainingOptions defaults = TrainingOptions.FromRecipe(recipe, mode, model, data.Source, request.Epochs);
        var options = (defaults with
        {
            BatchSize = request.BatchSize ?? defaults.BatchSize,
            LearningRate = request.LearningRate ?? defaults.LearningRate,
            Optimizer = request.Optimizer ?? defaults.Optimizer,
            Momentum = request.Momentum ?? defaults.Momentum,
            WeightDecay = request.WeightDecay ?? defaults.WeightDecay,
            GradientClip = request.GradientClip is { } clip ? (clip == 0 ? null : clip) : defaults.GradientClip,
            Margin = request.Margin,
            Scale = request.Scale ?? defaults.Scale,
            DistillationWeight = request.DistillationWeight ?? defaults.DistillationWeight,
            ClampArcFaceSine = !request.ReferenceSine,
            Teacher = distils ? teacher!.Config : null,
            TeacherWeights = mode == TrainingMode.Distillation ? teacher!.Weights : null,
            TeacherRun = mode == TrainingMode.MultiStepDistillation ? teacher!.Run : null,
            Validation = request.Validation.Select(v => Registry("validation").ResolvePath(Registry("validation").Get(v))).ToList(),
            VerifyEverySteps = request.VerifyEverySteps,
            Seed = request.Seed,
            Device = ResolveTrainingDevice(request.Device, request.Processes, host.DevicesHere),
            LogEverySteps = request.LogEverySteps ?? host.LogEverySteps,
            Precision = request.Precision,
            InitWeights = request.InitWeights is { } init ? Path.GetFullPath(init) : null,
            SampleRate = request.SampleRate,
            Distributed = request.Distributed,
        }).WithMilestones(request.Milestones);
        options.Validate();
        return (options, data);
    }

    public (SearchOptions Options, TrainingSetInfo Data) PlanSearch(SearchRequest request)
    {
        CheckName(request.Name);
        var defaults = new SearchOptions { Data = new DataSource("", "") };
        if (request.Epochs is int epochs) CheckRange("epochs", epochs, 1, MaxEpochs);
        if (request.BatchSize is int batch) CheckRange("batch size", batch, 2, MaxBatch);
        if (request.Channels is int channels) CheckRange("channels", channels, 2, 128);
        if (request.Cells is int cells) CheckRange("cells", cells, 3, 20);
        if (request.FinalChannels is int finalChannels) CheckRange("final channels", finalChannels, 2, 512);
        if (request.FinalCells is int finalCells) CheckRange("final cells", finalCells, 4, MaxCells);
        if (request.FinalEmbedding is int finalEmbedding) CheckRange("final embedding", finalEmbedding, 1, MaxEmbedding);
        if (request.Seed is int seed) CheckRange("seed", seed, 0, int.MaxValue);
        if (request.LogEverySteps is int every) CheckRange("log every", every, 1, int.MaxValue);
        CheckOpen("learning rate", request.LearningRate, 0, 10);
        CheckInterval("minimum learning rate", request.LearningRateMin, 0, 10);
        CheckOpen("alpha learning rate", request.AlphaLearningRate, 0, 10);
        if (!host.LocalFiles && request.Distributed is not null) throw new ArgumentException("distributed: set by the CLI's launcher only");
        TrainingSetInfo data = trainingSets.Get(request.TrainingSet);
        var options = new SearchOptions
        {
            Data = data.Source,
            Epochs = request.Epochs ?? defaults.Epochs,
            BatchSize = request.BatchSize ?? defaults.BatchSize,
            WeightLearningRate = request.LearningRate ?? defaults.WeightLearningRate,
            WeightLearningRateMin = request.LearningRateMin ?? defaults.WeightLearningRateMin,
            AlphaLearningRate = request.AlphaLearningRate ?? defaults.AlphaLearningRate,
            Channels = request.Channels ?? defaults.Channels,
            Cells = request.Cells ?? defaults.Cells,
            SecondOrder = request.SecondOrder,
            FinalChannels = request.FinalChannels ?? defaults.FinalChannels,
            FinalCells = request.FinalCells ?? defaults.FinalCells,
            FinalEmbedding = request.FinalEmbedding ?? defaults.FinalEmbedding,
            Seed = request.Seed ?? defaults.Seed,
            Device = ResolveDevice(request.Device, host.DevicesHere),
            LogEverySteps = request.LogEverySteps ?? defaults.LogEverySteps,
            Distributed = request.Distributed,
        };
        options.Validate();
        return (options, data);
    }

    /// <summary>Checks an evaluation's benchmarks and runtime; returns the device it runs on.</summary>
    public string PlanEvaluation(EvaluationRequest request)
    {
        if (request.Benchmarks is not { Count: > 0 }) throw new ArgumentException("benchmarks: choose at least one benchmark");
        CheckBenchmarks(request.Benchmarks, "benchmarks");
        if (!Enum.IsDefined(request.Runtime)) throw new ArgumentException($"runtime: {(int)request.Runtime} is not {string.Join(" or ", EvaluationNames.Runtime.Names)}");
        return ResolveDevice(request.Device, host.DevicesHere);
    }

    public void CheckBenchmarks(IReadOnlyList<string> names, string field)
    {
        if (names.Count == 0) return;
        BenchmarkRegistry registry = Registry(field);
        // Each benchmark once: the list is then no longer than the registry, however long the request.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in names)
        {
            if (!seen.Add(name)) throw new ArgumentException($"{field}: '{(name.Length <= 40 ? name : name[..40] + "...")}' is listed twice");
            BenchmarkEntry entry = registry.Benchmarks.FirstOrDefault(b => b.Name == name)
                ?? throw new ArgumentException($"{field}: unknown benchmark '{name}'");
            BenchmarkStatus status = registry.Check(entry, openData: false);
            if (!status.IsReady) throw new ArgumentException($"{field}: {status.Summary()}");
        }
    }

    private BenchmarkRegistry Registry(string field) =>
        benchmarks ?? throw new ArgumentException($"{field}: no benchmark registry to find them in");

    /// <summary>The CLI's teacher: a registry network with its weights, or (multi-step, without a name) the network its run trained.</summary>
    private TeacherSource? LocalTeacher(TrainingRequest request, ModelConfig student)
    {
        if (request.Teacher is null && request.TeacherRun is null && request.TeacherWeights is null) return null;
        ModelConfig? config = request.Teacher is { } name
            ? ModelRegistry.Resolve(name, request.TeacherEmbeddingSize ?? student.EmbeddingSize)
            : request.TeacherRun is { } run ? new RunDirectory(run).ReadOptions<TrainingOptions>().Model : null;
        return new TeacherSource(request.Teacher ?? request.TeacherRun ?? "teacher", config, request.TeacherWeights, request.TeacherRun);
    }

    /// <summary>Files of this host are named by the CLI only; a request over the web never reaches them (they are not in its JSON).</summary>
    private void CheckLocalFiles(TrainingRequest request)
    {
        if (host.LocalFiles) return;
        string? local = request switch
        {
            { Teacher: not null } => "teacher",
            { TeacherWeights: not null } => "teacher weights",
            { TeacherRun: not null } => "teacher run",
            { InitWeights: not null } => "init weights",
            { Distributed: not null } => "distributed",
            { SampleRate: not null } => "sample rate",
            _ => null,
        };
        if (local is not null) throw new ArgumentException($"{local}: set by the CLI only");
    }

    private static void CheckName(string? name)
    {
        if (name is { Length: > MaxNameLength }) throw new ArgumentException($"name: longer than {MaxNameLength} characters");
    }

    /// <summary>
    /// cpu, cuda or cuda:N as asked, or for auto the first GPU when there is one. A host that runs no jobs
    /// (<paramref name="onThisHost"/> false: a web host) cannot know its workers' devices: it checks the spelling only
    /// and keeps auto, which the worker that runs the job resolves.
    /// </summary>
    public static string ResolveDevice(string device, bool onThisHost = true)
    {
        string asked = string.IsNullOrWhiteSpace(device) ? "auto" : device.Trim().ToLowerInvariant();
        Device parsed;
        try
        {
            parsed = Device.Parse(asked);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"device: {e.Message}", e);
        }
        if (!onThisHost) return asked == "auto" ? asked : parsed.ToString();
        if (parsed.IsCuda && parsed.Index >= Engine.CudaDeviceCount)
            throw new ArgumentException($"device: {parsed} is not available (this host has {Engine.CudaDeviceCount} CUDA devices)");
        return parsed.ToString();
    }

    /// <summary>
    /// The device of a run trained by <paramref name="processes"/> processes. One process: as <see cref="ResolveDevice"/>
    /// says. Several take one GPU each (device "cuda": rank r trains on cuda:LOCAL_RANK) or an equal share of the CPU
    /// cores, so they are refused where the host has fewer GPUs or cores than processes. A web host checks the count
    /// against <see cref="MaxProcesses"/> only; the worker that runs the job checks its own devices.
    /// </summary>
    public static string ResolveTrainingDevice(string device, int processes, bool onThisHost = true)
    {
        if (processes is < 1 or > MaxProcesses) throw new ArgumentException($"processes: {processes} is outside 1..{MaxProcesses}");
        // Spelling first (a device that does not parse is the device's error), then the one-GPU rule on any host.
        device ??= "auto"; // JSON may send null
        if (processes > 1 && device.Contains(':') && ResolveDevice(device, onThisHost: false) != "cpu")
            throw new ArgumentException($"processes: {processes} processes take a GPU each; ask for device cuda or auto, not the single GPU {device.Trim()}");
        string resolved = ResolveDevice(device, onThisHost);
        if (processes == 1 || resolved == "auto") return resolved;
        if (resolved == "cpu")
        {
            if (onThisHost && processes > Environment.ProcessorCount)
                throw new ArgumentException($"processes: {processes} processes need a CPU core each, and this host has {Environment.ProcessorCount}");
            return resolved;
        }
        if (onThisHost && processes > Engine.CudaDeviceCount)
            throw new ArgumentException($"processes: {processes} processes need a GPU each, and this host has {Engine.CudaDeviceCount}");
        return "cuda";
    }

    /// <summary>A built-in recipe by name (default ms1mv2); a recipe file only where the host's files may be named (the CLI).</summary>
    public TrainingRecipe ResolveRecipe(string? name)
    {
        string asked = string.IsNullOrWhiteSpace(name) ? TrainingRecipe.DefaultName : name;
        if (host.LocalFiles) return TrainingRecipe.Resolve(asked);
        try
        {
            return TrainingRecipe.Find(asked);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException(e.Message.Replace(" (or a path to a recipe .json file)", ""), e);
        }
    }

    private static void CheckRange(string field, int value, int min, int max)
    {
        if (value < min || value > max) throw new ArgumentException($"{field}: {value} is outside {min}..{max}");
    }

    /// <summary>A value strictly between <paramref name="min"/> and <paramref name="max"/> (NaN refused), or none.</summary>
    private static void CheckOpen(string field, double? value, double min, double max)
    {
        if (value is { } v && !(v > min && v < max)) throw new ArgumentException($"{field}: {v} is outside ({min}, {max})");
    }

    /// <summary>A value from <paramref name="min"/> up to (not including) <paramref name="max"/>, or none.</summary>
    private static void CheckInterval(string field, double? value, double min, double max)
    {
        if (value is { } v && !(v >= min && v < max)) throw new ArgumentException($"{field}: {v} is outside [{min}, {max})");
    }
}
