using PocketNet.Models.Registry;
using PocketNet.Torch;
using PocketNet.Torch.Serialization;
using PocketNet.Training.Progress;
using PocketNet.Training.Recognition;
using PocketNet.Training.Runs;
using Xunit.Abstractions;

namespace PocketNet.Training.Tests;

/// <summary>
/// Multi-step distillation with students from the newer families of the zoo (MixFaceNet, EdgeFace, ShuffleFaceNet,
/// GhostFaceNetV1): each epoch's teacher is the matching checkpoint of a short teacher run, the step reports a
/// finite KD term, and the student's own weights move from its --init. Registry variants at their smallest
/// (32-d embedding, batch 8, two epochs of two steps) on 112×112 pattern faces, the size every network accepts.
/// </summary>
public sealed class ZooMultiStepDistillationTests(ITestOutputHelper output) : IDisposable
{
    private const int Embedding = 32;
    private readonly string _root = Directory.CreateTempSubdirectory("pocketnet-zoo-mskd-").FullName;

    [Theory]
    [InlineData("mixfacenet-xs")]
    [InlineData("edgeface-xxs")]
    [InlineData("shufflefacenet-0.5x")]
    [InlineData("ghostfacenet-v1-0.5-2")]
    public void AMultiStepRunOfAZooStudentReportsItsKdTermAndMovesItsWeights(string student)
    {
        var data = PatternFaces.TrainingSet(identities: 4, imagesPerIdentity: 4, seed: 17);
        TrainingOptions tiny = RecognitionTrainerTests.TinyOptions(epochs: 2) with { BatchSize = 8, LearningRate = 0.1 * 512 / 8 * 0.5 };

        var teacherRun = new RunDirectory(Path.Combine(_root, "teacher"));
        new RecognitionTrainer(tiny with { Model = RecognitionTrainerTests.TinyModel(Embedding), Seed = 1 }, data, teacherRun).Run();
        Assert.Equal([1, 2], teacherRun.Checkpoints());

        ModelConfig studentConfig = ModelRegistry.Resolve(student, Embedding);
        string init = Path.Combine(_root, "student-init.safetensors");
        Engine.ManualSeed(23);
        using (var fresh = ModelRegistry.Create(studentConfig)) WeightFiles.SaveModule(fresh, init);

        var run = new RunDirectory(Path.Combine(_root, "student"));
        TrainingOptions options = tiny with
        {
            Model = studentConfig,
            Mode = TrainingMode.MultiStepDistillation,
            Teacher = RecognitionTrainerTests.TinyModel(Embedding),
            TeacherRun = teacherRun.Path,
            InitWeights = init,
            GradientClip = 5,
        };
        string model = new RecognitionTrainer(options, data, run).Run();

        var events = EventLog.Read(run.EventsPath);
        var teachers = events.OfType<RunMessage>().Where(m => m.Text.Contains("teacher")).Select(m => m.Text).ToList();
        Assert.Equal(2, teachers.Count);
        Assert.Contains("epoch-0001", teachers[0]);
        Assert.Contains("epoch-0002", teachers[1]);

        var steps = events.OfType<StepProgress>().ToList();
        Assert.Equal(4, steps.Count);
        output.WriteLine($"{student}: kd {string.Join(", ", steps.Select(s => s.Losses["kd"].ToString("F4")))}; total {steps[0].Losses["total"]:F3} -> {steps[^1].Losses["total"]:F3}");
        Assert.All(steps, s =>
        {
            Assert.True(double.IsFinite(s.Losses["kd"]) && s.Losses["kd"] > 0, $"kd term {s.Losses["kd"]}");
            Assert.True(double.IsFinite(s.Losses["ce"]), $"ce term {s.Losses["ce"]}");
            Assert.Equal(s.Losses["ce"] + s.Losses["kd"], s.Losses["total"], 1e-4 * Math.Abs(s.Losses["total"]));
        });

        // Every trainable weight moved from --init; only frozen ones (MixFaceNet's embedding scale) stay put.
        HashSet<string> frozen;
        using (var network = ModelRegistry.Create(studentConfig))
            frozen = network.NamedParameters().Where(p => !p.Value.RequiresGrad).Select(p => p.Key).ToHashSet();
        using TensorDictionary initial = SafeTensors.Load(init);
        using TensorDictionary trained = SafeTensors.Load(Path.Combine(model, RecognitionTrainer.WeightsFile));
        using var scope = DisposeScope.Enter();
        var weights = initial.Where(kv => kv.Value.DType == ScalarType.Float32 && kv.Key.EndsWith(".weight")).ToList();
        Assert.True(weights.Count > 50, $"only {weights.Count} weight tensors saved");
        Assert.All(weights, kv => Assert.True(double.IsFinite(trained[kv.Key].Abs().Sum().Item()), $"{kv.Key} is not finite"));
        var unmoved = weights.Where(kv => (trained[kv.Key] - kv.Value).Abs().Max().Item() == 0).Select(kv => kv.Key).ToHashSet();
        output.WriteLine($"{weights.Count - unmoved.Count} of {weights.Count} weight tensors moved; unmoved: {string.Join(", ", unmoved)}");
        Assert.Equal(frozen.Where(name => name.EndsWith(".weight")).Order(), unmoved.Order());
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
