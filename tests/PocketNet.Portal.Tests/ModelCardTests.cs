using System.Globalization;
using PocketNet.Portal.Downloads;
using System.Text.Json;
using PocketNet.Models.Registry;
using PocketNet.Portal.Store;
using PocketNet.Training.Progress;
using PocketNet.Training.Recognition;

namespace PocketNet.Portal.Tests;

/// <summary>MODEL_CARD.md: what the model is, whether its data was synthetic, its numbers with units, how to load it.</summary>
public sealed class ModelCardTests
{
    private static readonly DateTime Evaluated = new(2026, 11, 22, 7, 5, 0, DateTimeKind.Utc);

    private static ModelRecord Trained(bool synthetic = true) => new()
    {
        Name = "pocketnets-128-job3", DisplayName = "PocketNetS-128 on SynthFaces", Origin = ModelOrigin.Trained, Architecture = "CellNetwork",
        Genotype = "Genotype(normal=...)", EmbeddingSize = 128, Parameters = 925_632, MegaFlops = 587.1149, TrainingMode = "ArcFace",
        TrainingData = synthetic ? "SynthFaces" : "MS1MV2", SyntheticTraining = synthetic, Source = "trained by job 3", Folder = "/x",
    };

    private static ResultRecord Result(string benchmark, string display, bool synthetic, double value, double? std) => new()
    {
        Benchmark = benchmark, DisplayName = display, Protocol = "Pairs", Synthetic = synthetic, Metric = "accuracy", Value = value, Std = std,
        Runtime = "libtorch", CreatedAt = Evaluated,
    };

    [Fact]
    public void A_model_trained_on_synthfaces_is_marked_synthetic_with_its_size_in_units()
    {
        string card = ModelCard.Write(Trained(), [Result("synth_lfw", "Synthetic LFW", true, 0.75, 0.15)]);
        Assert.StartsWith("# PocketNetS-128 on SynthFaces\n", card.ReplaceLineEndings("\n"));
        Assert.Contains("- Name: `pocketnets-128-job3`", card);
        Assert.Contains("genotype `Genotype(normal=...)`", card);
        Assert.Contains("- Embedding: 128 floats per face", card);
        Assert.Contains("- Parameters: 925,632 (0.93 M)", card);
        Assert.Contains("- FLOPs: 587.11 MFLOPs per 112x112 image", card);
        Assert.Contains("- Training: ArcFace on SynthFaces", card);
        Assert.Contains("**SYNTHETIC**", card);
        Assert.Contains($"| Synthetic LFW | synthetic | accuracy | 75.00 ± 15.00 | libtorch | 2026-11-22 07:05 |", card);
        Assert.Contains("pocketnet eval --model FOLDER", card);
        Assert.Contains("sha256sum -c SHA256SUMS", card);
    }

    [Fact]
    public void A_model_trained_on_real_data_names_its_data_and_is_not_marked_synthetic()
    {
        string card = ModelCard.Write(Trained(synthetic: false), [Result("lfw", "LFW", false, 0.995, null)]);
        Assert.Contains("- Training data: MS1MV2", card);
        Assert.DoesNotContain("SYNTHETIC", card);
        Assert.Contains("| LFW | real | accuracy | 99.50 | libtorch |", card);
    }

    [Fact]
    public void Real_results_are_listed_before_synthetic_ones()
    {
        string card = ModelCard.Write(Trained(), [Result("synth_lfw", "Synthetic LFW", true, 0.7, null), Result("lfw", "LFW", false, 0.9, null)]);
        Assert.True(card.IndexOf("| LFW |", StringComparison.Ordinal) < card.IndexOf("| Synthetic LFW |", StringComparison.Ordinal));
    }

    [Fact]
    public void A_model_without_results_says_it_is_not_evaluated_yet() =>
        Assert.Contains("Not evaluated yet.", ModelCard.Write(Trained(), []));

    [Fact]
    public void An_external_model_explains_its_onnx_interface_and_admits_unknowns()
    {
        var external = new ModelRecord
        {
            Name = "theirs", DisplayName = "Their model", Origin = ModelOrigin.External, Architecture = "ONNX", EmbeddingSize = 512,
            Parameters = 1_234_567, MegaFlops = null, Folder = "/x",
        };
        string card = ModelCard.Write(external, []);
        Assert.Contains("- FLOPs: unknown", card);
        Assert.Contains("- Training data: unknown", card);
        Assert.Contains("[N, 3, 112, 112]", card);
        Assert.DoesNotContain("weights.safetensors", card);
    }

    [Fact]
    public void Numbers_are_written_the_same_whatever_the_servers_culture()
    {
        string invariant = ModelCard.Write(Trained(), [Result("synth_lfw", "Synthetic LFW", true, 0.75, 0.15)]);
        CultureInfo before = CultureInfo.CurrentCulture;
        try
        {
            foreach (string culture in new[] { "de-DE", "fr-FR", "ar-SA" })
            {
                CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo(culture);
                Assert.Equal(invariant, ModelCard.Write(Trained(), [Result("synth_lfw", "Synthetic LFW", true, 0.75, 0.15)]));
            }
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
        }
    }

    [Fact]
    public void A_trained_models_card_names_its_recipe_and_every_deviation_from_it()
    {
        string folder = Directory.CreateTempSubdirectory("pocketnet-card-").FullName;
        try
        {
            var config = new TrainedModelConfig(RecognitionTrainerConfig(), TrainingMode.ArcFace, "SynthFaces", true, 2, 925_632)
            {
                Recipe = "ms1mv2",
                Deviations = ["epochs: 2 (recipe 26)", "gradient clip: none (recipe 5)"],
            };
            File.WriteAllText(Path.Combine(folder, "config.json"), JsonSerializer.Serialize(config, EventLog.IndentedJsonOptions));
            ModelRecord model = Trained();
            model.Folder = folder;
            string card = ModelCard.Write(model, []).ReplaceLineEndings("\n");
            Assert.Contains("## Recipe\n\nTrained with the `ms1mv2` recipe of the official PocketNet scripts (fdbtrs/PocketNet config/", card);
            Assert.Contains("Deviations from the recipe:\n- epochs: 2 (recipe 26)\n- gradient clip: none (recipe 5)\n", card);
            Assert.DoesNotContain("## Recipe", ModelCard.Write(Trained(), []));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static ModelConfig RecognitionTrainerConfig() => ModelRegistry.Resolve("pocketnet-s-128", null);
}
