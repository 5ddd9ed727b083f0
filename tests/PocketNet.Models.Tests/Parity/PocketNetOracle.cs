using System.Text.Json;
using System.Text.Json.Nodes;
using PocketNet.Models.Heads;
using PocketNet.Models.Registry;
using PocketNet.Models.SearchSpace;
using PocketNet.Models.Tests.Support;
using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.Tests.Parity;

/// <summary>
/// C# side of python/pocketnet_reference.py. Builds PocketNetS-128 and PocketNetM-256 once, gives every
/// weight and batch-norm running statistic a random value (the reference init leaves BN at identity, which
/// would hide wiring mistakes in eval mode), draws an ArcFace kernel, writes all of it with the input
/// batches, and runs the whole PyTorch side (layouts, eval forward, one training step, an ArcFace-only
/// case) in a single Python process, since importing torch alone costs about 1.5 s.
/// Weights come from a private seeded generator (<see cref="SeededWeights"/>), so they are the same on
/// every run; tests rebuild the C# networks from the very files written here.
/// </summary>
public sealed class PocketNetOracle : IDisposable
{
    public static readonly string[] Variants = ["pocketnet-s-128", "pocketnet-m-256"];

    public const int Classes = 10;
    public const double Scale = 64, Margin = 0.5;
    public const double LearningRate = 0.1, Momentum = 0.9, WeightDecay = 5e-4;

    /// <summary>
    /// The training step uses 4 images, not 2: with 2, the tail's batch norms (1x1 spatial) see two values
    /// per channel, normalise them to exactly ±1 and pass back a gradient of order eps / var ≈ 1e-5, so
    /// every backbone gradient would be rounding noise and the comparison would test only weight decay.
    /// </summary>
    public static readonly long[] TrainLabels = [3, 7, 1, 9];

    private readonly TempDirectory _folder = new();
    private readonly JsonDocument _results;

    public PocketNetOracle()
    {
        string path = _folder.Path;
        using (var scope = DisposeScope.Enter())
        {
            RawTensors.Write(path, "images_eval", [new("images", ParityWeights.Images(2))]);
            RawTensors.Write(path, "images_train",
                [new("images", TrainImages()), new("labels", Tensors.FromArray(TrainLabels, TrainLabels.Length))]);
            for (int i = 0; i < Variants.Length; i++)
            {
                ModelConfig config = ModelRegistry.Resolve(Variants[i]);
                using var network = ModelRegistry.Create(config);
                SeededWeights.Randomise(network, seed: 20220426 + i);
                RawTensors.Write(path, $"{Variants[i]}.weights", network.StateDict());
                using var head = new ArcFaceHead(config.EmbeddingSize, Classes, Scale, Margin);
                SeededWeights.Randomise(head, seed: 1801 + i);
                RawTensors.Write(path, $"{Variants[i]}.head", head.StateDict());
            }
        }

        var job = new JsonObject
        {
            ["genotype"] = Genotype.PocketNet.ToString(),
            ["variants"] = new JsonArray(Variants.Select(v => (JsonNode)JsonValue.Create(v)).ToArray()),
            ["s"] = Scale,
            ["m"] = Margin,
            ["lr"] = LearningRate,
            ["momentum"] = Momentum,
            ["weight_decay"] = WeightDecay,
        };
        File.WriteAllText(Path.Combine(path, "job.json"), job.ToJsonString());
        PythonRunner.Run("pocketnet_reference.py", "run", path);
        _results = JsonDocument.Parse(File.ReadAllText(Path.Combine(path, "results.json")));
    }

    public JsonElement Results => _results.RootElement;

    public JsonElement Variant(string name) => Results.GetProperty("variants").GetProperty(name);

    /// <summary>Fails with PyTorch's traceback when its stage (eval, train) of the variant raised.</summary>
    public void AssertStageRan(string name, string stage)
    {
        if (Variant(name).GetProperty("errors").TryGetProperty(stage, out JsonElement error))
            Assert.Fail($"PyTorch's {stage} stage of {name} failed:\n{error.GetString()}");
    }

    /// <summary>Tensors PyTorch wrote (or that we wrote for it) under <paramref name="stem"/>.</summary>
    public Dictionary<string, RawTensors.RawTensor> Read(string stem) => RawTensors.Read(_folder.Path, stem);

    /// <summary>The variant built by the registry and loaded with the weights PyTorch got.</summary>
    public Module<Tensor, Tensor> Network(string name)
    {
        var network = ModelRegistry.Create(ModelRegistry.Resolve(name));
        Load(network, $"{name}.weights");
        return network;
    }

    /// <summary>The variant's ArcFace head with the kernel PyTorch got.</summary>
    public ArcFaceHead Head(string name)
    {
        var head = new ArcFaceHead(ModelRegistry.Resolve(name).EmbeddingSize, Classes, Scale, Margin);
        Load(head, $"{name}.head");
        return head;
    }

    private void Load(Module module, string stem)
    {
        using var scope = DisposeScope.Enter();
        module.LoadStateDict(Read(stem).ToDictionary(kv => kv.Key, kv => kv.Value.ToTensor()));
    }

    // Four images from the same formula as the eval batch, a different stretch of it.
    private static Tensor TrainImages()
    {
        using var scope = DisposeScope.Enter();
        return ParityWeights.Images(6).Slice(0, 2, 6).Contiguous().MoveToOuterScope();
    }

    public void Dispose()
    {
        _results.Dispose();
        _folder.Dispose();
    }
}
