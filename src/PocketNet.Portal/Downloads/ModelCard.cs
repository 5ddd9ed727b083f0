using System.Globalization;
using System.Text;
using System.Text.Json;
using PocketNet.Application.Models;
using PocketNet.Training.Progress;
using PocketNet.Portal.Store;
using PocketNet.Training.Recipes;
using PocketNet.Training.Recognition;

namespace PocketNet.Portal.Downloads;

/// <summary>The model card in a model's zip: what it is, what it was trained on (synthetic or real), its numbers, how to load it.</summary>
public static class ModelCard
{
    // The card is a file for anyone, not a page for the server's locale: 0.93 M, never 0,93 M.
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Write(ModelRecord model, IReadOnlyList<ResultRecord> results)
    {
        TrainedModelConfig? training = ReadTraining(model);
        var card = new StringBuilder();
        card.AppendLine(Invariant, $"# {model.DisplayName}").AppendLine();
        card.AppendLine(Invariant, $"- Name: `{model.Name}`");
        card.AppendLine(Invariant, $"- Architecture: {model.Architecture}{(model.Genotype is null ? "" : $", genotype `{model.Genotype}`")}");
        card.AppendLine(Invariant, $"- Embedding: {model.EmbeddingSize} floats per face (input: aligned 112x112 RGB, (x / 255 - 0.5) / 0.5)");
        card.AppendLine(Invariant, $"- Parameters: {model.Parameters.ToString("N0", Invariant)} ({model.Parameters / 1e6:F2} M)");
        card.AppendLine(Invariant, $"- FLOPs: {(model.MegaFlops is double f ? string.Create(Invariant, $"{f:F2} MFLOPs per 112x112 image") : "unknown")}");
        card.AppendLine(Invariant, $"- MACs: {(model.MegaMacs is double m ? string.Create(Invariant, $"{m:F2} million multiply-accumulates per 112x112 image") : "unknown")}");
        if (model.LatencyMilliseconds is double ms)
            card.AppendLine(Invariant, $"- Latency: {ms:F2} ms per image at batch 1 (median of warm runs) on {model.LatencyHost}");
        card.AppendLine(Invariant, $"- Origin: {model.Origin}{(model.Source is null ? "" : $" ({model.Source})")}");
        if (model.TrainingMode is not null) card.AppendLine(Invariant, $"- Training: {model.TrainingMode} on {model.TrainingData}");
        card.AppendLine(Invariant, $"- Training data: {(model.SyntheticTraining ? "**SYNTHETIC** (SynthFaces demo data; not a face-recognition model for real faces)" : model.TrainingData ?? "unknown")}");
        WriteRecipe(card, training);
        card.AppendLine();
        card.AppendLine("## Results").AppendLine();
        if (results.Count == 0) card.AppendLine("Not evaluated yet.");
        else
        {
            card.AppendLine("| benchmark | data | metric | value (%) | runtime | evaluated (UTC) |");
            card.AppendLine("|---|---|---|---|---|---|");
            foreach (ResultRecord r in results.OrderBy(r => r.Synthetic).ThenBy(r => r.Benchmark))
            {
                string value = r.Std is double std ? string.Create(Invariant, $"{r.Value * 100:F2} ± {std * 100:F2}") : string.Create(Invariant, $"{r.Value * 100:F2}");
                card.AppendLine(Invariant, $"| {r.DisplayName} | {(r.Synthetic ? "synthetic" : "real")} | {r.Metric} | {value} | {r.Runtime} | {r.CreatedAt:yyyy-MM-dd HH:mm} |");
            }
        }
        card.AppendLine();
        card.AppendLine("## Loading").AppendLine();
        if (model.Origin.OnnxOnly())
        {
            card.AppendLine("`model.onnx` runs in any ONNX runtime: input `[N, 3, 112, 112]` float32, output `[N, E]` embeddings.");
            card.AppendLine("With PocketNet Portal's CLI: `pocketnet eval --model model.onnx --benchmarks lfw`.");
        }
        else
        {
            card.AppendLine("Unzip into a folder, then with PocketNet Portal's CLI:");
            card.AppendLine("```sh");
            card.AppendLine("pocketnet embed --model FOLDER --images faces/ --out embeddings.csv");
            card.AppendLine("pocketnet eval --model FOLDER --benchmarks lfw,cfp_fp,agedb_30");
            card.AppendLine("```");
            card.AppendLine("`weights.safetensors` holds the backbone's state_dict with PyTorch's parameter names, `config.json` the network's");
            card.AppendLine("configuration; `model.onnx` (batch norm folded, dynamic batch) runs in ONNX Runtime or onnxruntime-web.");
        }
        card.AppendLine();
        card.AppendLine("`SHA256SUMS` lists the checksum of every other file in this archive (`sha256sum -c SHA256SUMS`).");
        return card.ToString();
    }

    private static void WriteRecipe(StringBuilder card, TrainedModelConfig? training)
    {
        if (training?.Recipe is null) return;
        card.AppendLine();
        card.AppendLine("## Recipe").AppendLine();
        card.AppendLine(Invariant, $"Trained with the `{training.Recipe}` recipe of the official PocketNet scripts ({TrainingRecipeSource(training.Recipe)}).");
        IReadOnlyList<string> deviations = training.Deviations ?? [];
        if (deviations.Count == 0) card.AppendLine("No deviation from the recipe.");
        else
        {
            card.AppendLine("Deviations from the recipe:");
            foreach (string deviation in deviations) card.AppendLine(Invariant, $"- {deviation}");
        }
    }

    /// <summary>The model folder's config.json as the trainer writes it (recipe and deviations), or null for other models.</summary>
    private static TrainedModelConfig? ReadTraining(ModelRecord model)
    {
        string? path = model.Folder is null ? null : new ModelFolder(model.Folder).Config;
        if (path is null || !File.Exists(path) || new FileInfo(path).Length > 1 << 20) return null;
        try
        {
            return TrainedModelConfig.TryParse(File.ReadAllText(path));
        }
        catch (JsonException)
        {
            return null; // a damaged config.json has no recipe to show; the card is still written
        }
    }

    private static string TrainingRecipeSource(string name) =>
        TrainingRecipe.BuiltIn.FirstOrDefault(r => r.Name == name)?.Source ?? "a recipe file";
}
