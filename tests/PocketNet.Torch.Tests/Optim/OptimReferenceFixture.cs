using PocketNet.Torch.Tests.Support;
using System.Text.Json;
using System.Text.Json.Nodes;
using PocketNet.Torch.Optim;

namespace PocketNet.Torch.Tests.Optim;

/// <summary>
/// Runs every reference case through PyTorch in one Python process (starting Python and importing
/// torch costs over a second, so once for the class rather than once per case).
/// </summary>
public sealed class OptimReferenceFixture
{
    private readonly Dictionary<string, JsonElement> _results = new(StringComparer.Ordinal);

    public OptimReferenceFixture()
    {
        string input = Path.Combine(Path.GetTempPath(), $"pn-optim-{Environment.ProcessId}-{Guid.NewGuid():N}.json");
        try
        {
            var spec = new JsonObject { ["cases"] = new JsonArray(Cases.Select(c => (JsonNode)c.ToJson()).ToArray()) };
            File.WriteAllText(input, spec.ToJsonString());
            using JsonDocument doc = JsonDocument.Parse(PythonRunner.Run("optim_reference.py", input));
            TorchVersion = doc.RootElement.GetProperty("torch").GetString() ?? "";
            foreach (JsonProperty c in doc.RootElement.GetProperty("cases").EnumerateObject())
                _results[c.Name] = c.Value.Clone();
        }
        finally
        {
            File.Delete(input);
        }
    }

    public string TorchVersion { get; }

    public JsonElement Result(string name) => _results[name];

    internal static ReferenceCase Case(string name) => Cases.Single(c => c.Name == name);

    public static IEnumerable<object[]> Names => Cases.Select(c => new object[] { c.Name });

    private static readonly double[]?[][] SparseGrads =
    [
        [[0.5, -1, 0.25, 2, 0, 1, -0.5, 0.75, 1.5, -2, 0.1, 0.3], [1, -1, 0.5], null],
        [null, [0.2, 0.4, -0.6], [1, 1]],
        [[-0.5, 1, 0.25, -2, 1, 0, 0.5, 0.75, -1.5, 2, -0.1, 0.3], null, [-3, 0.5]],
        [[0.05, 0.1, -0.025, 0.2, 0, 0.1, -0.05, 0.075, 0.15, -0.2, 0.01, 0.03], [0.01, -0.01, 0.02], [0.1, 0.1]],
        [[0.5, -1, 0.25, 2, 0, 1, -0.5, 0.75, 1.5, -2, 0.1, 0.3], [1, -1, 0.5], null],
    ];

    internal static readonly ReferenceCase[] Cases =
    [
        new()
        {
            Name = "sgd_plain",
            Optimizer = "sgd",
            PythonOptions = new JsonObject { ["lr"] = 0.1 },
            Create = g => new Sgd(g, learningRate: 0.1),
        },
        new()
        {
            Name = "sgd_momentum_weight_decay",
            Optimizer = "sgd",
            PythonOptions = new JsonObject { ["lr"] = 0.05, ["momentum"] = 0.9, ["weight_decay"] = 0.01 },
            Create = g => new Sgd(g, learningRate: 0.05, momentum: 0.9, weightDecay: 0.01),
            Steps = 6,
        },
        new()
        {
            Name = "sgd_nesterov_weight_decay",
            Optimizer = "sgd",
            PythonOptions = new JsonObject { ["lr"] = 0.05, ["momentum"] = 0.9, ["weight_decay"] = 5e-4, ["nesterov"] = true },
            Create = g => new Sgd(g, learningRate: 0.05, momentum: 0.9, weightDecay: 5e-4, nesterov: true),
            Steps = 6,
        },
        new()
        {
            Name = "sgd_dampening",
            Optimizer = "sgd",
            PythonOptions = new JsonObject { ["lr"] = 0.1, ["momentum"] = 0.8, ["dampening"] = 0.3, ["weight_decay"] = 0.02 },
            Create = g => new Sgd(g, learningRate: 0.1, momentum: 0.8, dampening: 0.3, weightDecay: 0.02),
        },
        new()
        {
            Name = "sgd_groups",
            Optimizer = "sgd",
            PythonOptions = new JsonObject { ["lr"] = 0.1, ["momentum"] = 0.9, ["weight_decay"] = 0.01 },
            Create = g => new Sgd(g, learningRate: 0.1, momentum: 0.9, weightDecay: 0.01),
            Groups = [new([0], LearningRate: 0.03), new([1, 2], WeightDecay: 0)],
        },
        new()
        {
            Name = "sgd_learning_rate_changes",
            Optimizer = "sgd",
            PythonOptions = new JsonObject { ["lr"] = 0.1, ["momentum"] = 0.9, ["weight_decay"] = 5e-4 },
            Create = g => new Sgd(g, learningRate: 0.1, momentum: 0.9, weightDecay: 5e-4),
            LearningRates = [0.1, 0.1, 0.01, 0.01, 0.001],
        },
        new()
        {
            Name = "sgd_missing_grads",
            Optimizer = "sgd",
            PythonOptions = new JsonObject { ["lr"] = 0.1, ["momentum"] = 0.9, ["weight_decay"] = 0.1, ["nesterov"] = true },
            Create = g => new Sgd(g, learningRate: 0.1, momentum: 0.9, weightDecay: 0.1, nesterov: true),
            FixedGrads = SparseGrads,
        },
        new()
        {
            Name = "adam_default",
            Optimizer = "adam",
            PythonOptions = new JsonObject { ["lr"] = 0.01 },
            Create = g => new Adam(g, learningRate: 0.01),
            Steps = 6,
        },
        new()
        {
            Name = "adam_betas_weight_decay",
            Optimizer = "adam",
            PythonOptions = new JsonObject { ["lr"] = 0.02, ["betas"] = new JsonArray(0.8, 0.99), ["eps"] = 1e-6, ["weight_decay"] = 0.01 },
            Create = g => new Adam(g, learningRate: 0.02, beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 0.01),
            Steps = 6,
        },
        new()
        {
            Name = "adam_amsgrad_missing_grads",
            Optimizer = "adam",
            PythonOptions = new JsonObject { ["lr"] = 0.05, ["amsgrad"] = true, ["weight_decay"] = 0.05 },
            Create = g => new Adam(g, learningRate: 0.05, weightDecay: 0.05, amsgrad: true),
            FixedGrads = SparseGrads,
        },
        new()
        {
            Name = "adam_groups_learning_rate_changes",
            Optimizer = "adam",
            PythonOptions = new JsonObject { ["lr"] = 0.01, ["amsgrad"] = true },
            Create = g => new Adam(g, learningRate: 0.01, amsgrad: true),
            Groups = [new([0, 2], WeightDecay: 0.1), new([1])],
            LearningRates = [0.01, 0.02, 0.02, 0.005, 0.005],
        },
        new()
        {
            // Decay large enough (lr * wd = 1e-2 per step) that AdamW's shrink and Adam's L2 term part visibly.
            Name = "adamw_weight_decay",
            Optimizer = "adamw",
            PythonOptions = new JsonObject { ["lr"] = 0.05, ["weight_decay"] = 0.2 },
            Create = g => new AdamW(g, learningRate: 0.05, weightDecay: 0.2),
            Steps = 6,
        },
        new()
        {
            Name = "adamw_betas_amsgrad_missing_grads",
            Optimizer = "adamw",
            PythonOptions = new JsonObject { ["lr"] = 0.02, ["betas"] = new JsonArray(0.8, 0.99), ["eps"] = 1e-6, ["weight_decay"] = 0.05, ["amsgrad"] = true },
            Create = g => new AdamW(g, learningRate: 0.02, beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 0.05, amsgrad: true),
            FixedGrads = SparseGrads,
        },
        new()
        {
            // The decay follows each group's current rate: the schedule changes it between steps.
            Name = "adamw_groups_learning_rate_changes",
            Optimizer = "adamw",
            PythonOptions = new JsonObject { ["lr"] = 0.01 },
            Create = g => new AdamW(g, learningRate: 0.01),
            Groups = [new([0, 2], WeightDecay: 0.5), new([1], WeightDecay: 0)],
            LearningRates = [0.01, 0.03, 0.03, 0.005, 0.005],
        },
    ];
}
