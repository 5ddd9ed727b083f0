using PocketNet.Data.Registry;
using PocketNet.Models.Registry;
using PocketNet.Models.SearchSpace;
using PocketNet.Portal.Catalog;
using PocketNet.Portal.Store;
using PocketNet.Torch;
using PocketNet.Training.Options;
using PocketNet.Training.Recipes;
using PocketNet.Training.Recognition;
using PocketNet.Training.Search;

namespace PocketNet.Portal.Jobs;

/// <summary>
/// Turns what the form or the API asked for into the application layer's options, refusing impossible requests
/// with an <see cref="ArgumentException"/> that says which field is wrong and why (the API answers it with 400).
/// </summary>
public sealed class JobPlanner(TrainingSetCatalog trainingSets, BenchmarkRegistry benchmarks)
{
    public const int MaxEpochs = 1000;
    public const int MaxBatch = 4096;
    public const int MaxEmbedding = 4096;

    /// <summary>Cells of a trained genotype network: PocketNetS has 18; far beyond this a request only asks for memory.</summary>
    public const int MaxCells = 64;

    /// <summary>Training processes a request may ask for where its host's devices are unknown (a web host): more GPUs than a host has.</summary>
    public const int MaxProcesses = 64;

    /// <summary>Job and model names shown on every dashboard: as long as an upload's name may be.</summary>
    public const int MaxNameLength = Catalog.ModelUploads.MaxNameLength;

    public ModelConfig ResolveModel(TrainRunRequest request)
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

    /// <summary>Training options for <paramref name="request"/>; <paramref name="teacher"/> is the stored teacher model (KD modes).</summary>
    public (TrainingOptions Options, TrainingSetInfo Data) PlanTraining(TrainRunRequest request, ModelRecord? teacher, string? teacherRun, bool devicesHere = true)
    {
        ModelConfig model = ResolveModel(request);
        TrainingMode mode = TrainingNames.Mode.Parse(request.Mode);
        CheckRange("epochs", request.Epochs, 1, MaxEpochs);
        CheckRange("batch size", request.BatchSize, 2, MaxBatch);
        if (request.LearningRate is not null && !(request.LearningRate is > 0 and < 10)) throw new ArgumentException($"learning rate: {request.LearningRate} is outside (0, 10)");
        TrainingOptimizer optimizer = TrainingNames.Optimizer.Parse(request.Optimizer ?? TrainingNames.Optimizer.NameOf(TrainingOptimizer.Sgd));
        if (request.WeightDecay is not null && !(request.WeightDecay is >= 0 and < 1)) throw new ArgumentException($"weight decay: {request.WeightDecay} is outside [0, 1)");
        TrainingSetInfo data = trainingSets.Get(request.TrainingSet);
        CheckBenchmarks(request.Benchmarks, "benchmarks");
        CheckBenchmarks(request.Validation, "validation");
        if (request.Validation.Any(v => benchmarks.Get(v).Protocol != BenchmarkProtocol.Pairs))
            throw new ArgumentException("validation: only pair benchmarks (LFW, CFP-FP, AgeDB-30, ...) can be checked during training");

        bool distils = mode is TrainingMode.Distillation or TrainingMode.MultiStepDistillation;
        ModelConfig? teacherConfig = null;
        if (distils)
        {
            if (teacher?.ConfigJson is null || teacher.Folder is null || teacher.Origin.OnnxOnly())
                throw new ArgumentException($"teacher: {request.Mode} needs a stored teacher model with weights (teacherModelId)");
            teacherConfig = System.Text.Json.JsonSerializer.Deserialize<ModelConfig>(teacher.ConfigJson, StoreJson.Options)!;
            if (mode == TrainingMode.MultiStepDistillation && teacherRun is null)
                throw new ArgumentException($"teacher: multi-step KD needs a teacher trained by this portal (its run's per-epoch checkpoints); {teacher.DisplayName} has none");
        }

        TrainingRecipe recipe = ResolveRecipe(request.Recipe);
        var options = (TrainingOptions.FromRecipe(recipe, mode, model, data.Source, request.Epochs) with
        {
            BatchSize = request.BatchSize,
            LearningRate = request.LearningRate ?? recipe.LearningRate,
            Optimizer = optimizer,
            WeightDecay = request.WeightDecay ?? recipe.WeightDecay,
            Teacher = teacherConfig,
            TeacherWeights = mode == TrainingMode.Distillation ? Path.Combine(teacher!.Folder!, RecognitionTrainer.WeightsFile) : null,
            TeacherRun = mode == TrainingMode.MultiStepDistillation ? teacherRun : null,
            Validation = request.Validation.Select(v => benchmarks.ResolvePath(benchmarks.Get(v))).ToList(),
            Seed = request.Seed,
            Device = ResolveTrainingDevice(request.Device, request.Processes, devicesHere),
            LogEverySteps = 1,
        }).WithMilestones(request.Milestones);
        options.Validate();
        return (options, data);
    }

    public (SearchOptions Options, TrainingSetInfo Data) PlanSearch(SearchRunRequest request, bool devicesHere = true)
    {
        CheckName(request.Name);
        CheckRange("epochs", request.Epochs, 1, MaxEpochs);
        CheckRange("batch size", request.BatchSize, 2, MaxBatch);
        CheckRange("channels", request.Channels, 2, 128);
        CheckRange("cells", request.Cells, 3, 20);
        TrainingSetInfo data = trainingSets.Get(request.TrainingSet);
        var options = new SearchOptions
        {
            Data = data.Source,
            Epochs = request.Epochs,
            BatchSize = request.BatchSize,
            Channels = request.Channels,
            Cells = request.Cells,
            SecondOrder = request.SecondOrder,
            Seed = request.Seed,
            Device = ResolveDevice(request.Device, devicesHere),
        };
        return (options, data);
    }

    public void CheckBenchmarks(IReadOnlyList<string> names, string field)
    {
        // Each benchmark once: the list is then no longer than the registry, however long the request.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in names)
        {
            if (!seen.Add(name)) throw new ArgumentException($"{field}: '{(name.Length <= 40 ? name : name[..40] + "...")}' is listed twice");
            BenchmarkEntry entry = benchmarks.Benchmarks.FirstOrDefault(b => b.Name == name)
                ?? throw new ArgumentException($"{field}: unknown benchmark '{name}'");
            BenchmarkStatus status = benchmarks.Check(entry, openData: false);
            if (!status.IsReady) throw new ArgumentException($"{field}: {status.Summary()}");
        }
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

    /// <summary>A built-in recipe by name (default ms1mv2); the portal takes no recipe files from requests.</summary>
    public static TrainingRecipe ResolveRecipe(string? name)
    {
        try
        {
            return TrainingRecipe.Find(string.IsNullOrWhiteSpace(name) ? TrainingRecipe.DefaultName : name);
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
}
