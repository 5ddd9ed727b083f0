using PocketNet.Torch;
using PocketNet.Torch.Serialization;
using PocketNet.Training.Progress;
using PocketNet.Training.Recognition;
using PocketNet.Training.Runs;

namespace PocketNet.Training.Tests;

public sealed class DistillationTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pocketnet-kd-").FullName;

    /// <summary>A teacher run of three epochs (its checkpoints are what multi-step distillation walks through).</summary>
    private RunDirectory TrainTeacher()
    {
        var teacherRun = new RunDirectory(Path.Combine(_root, "teacher"));
        var data = PatternFaces.TrainingSet(identities: 6, imagesPerIdentity: 6, seed: 11);
        new RecognitionTrainer(RecognitionTrainerTests.TinyOptions(epochs: 3) with { Seed = 1 }, data, teacherRun).Run();
        return teacherRun;
    }

    [Fact]
    public void MultiStepDistillationUsesTheTeacherOfTheMatchingEpoch()
    {
        RunDirectory teacherRun = TrainTeacher();
        using var teachers = new MultiStepTeacher(RecognitionTrainerTests.TinyModel(), teacherRun.Path, Device.Cpu);
        for (int epoch = 0; epoch < 3; epoch++)
        {
            string expected = Path.Combine(teacherRun.CheckpointPath(epoch + 1), MultiStepTeacher.BackboneFile);
            Assert.Equal(expected, teachers.SourceFor(epoch));
            var teacher = teachers.ForEpoch(epoch);
            Assert.False(teacher.IsTraining);
            using TensorDictionary saved = SafeTensors.Load(expected);
            using var scope = DisposeScope.Enter();
            foreach (var (name, tensor) in teacher.StateDict())
                Assert.True(tensor.AllClose(saved[name], 0, 0), $"student epoch {epoch + 1}: teacher tensor {name} differs from {expected}");
        }
        var missing = Assert.Throws<FileNotFoundException>(() => teachers.ForEpoch(3));
        Assert.Contains("epoch-0004", missing.Message);
    }

    [Fact]
    public void AMultiStepRunLogsItsTeachersAndLearnsWithBothLosses()
    {
        RunDirectory teacherRun = TrainTeacher();
        var student = new RunDirectory(Path.Combine(_root, "student"));
        var options = RecognitionTrainerTests.TinyOptions(epochs: 2) with
        {
            Mode = TrainingMode.MultiStepDistillation,
            Teacher = RecognitionTrainerTests.TinyModel(),
            TeacherRun = teacherRun.Path,
            GradientClip = 5,
        };
        var data = PatternFaces.TrainingSet(identities: 6, imagesPerIdentity: 6, seed: 11);
        new RecognitionTrainer(options, data, student).Run();

        var events = EventLog.Read(student.EventsPath);
        var teacherLines = events.OfType<RunMessage>().Where(m => m.Text.Contains("teacher")).Select(m => m.Text).ToList();
        Assert.Equal(2, teacherLines.Count);
        Assert.Contains("epoch-0001", teacherLines[0]);
        Assert.Contains("epoch-0002", teacherLines[1]);
        var steps = events.OfType<StepProgress>().ToList();
        Assert.All(steps, s => Assert.True(s.Losses.ContainsKey("kd") && s.Losses.ContainsKey("ce")));
        // Within float32 rounding of the sum (a decimal-places comparison can fail across a rounding boundary).
        Assert.All(steps, s => Assert.Equal(s.Losses["ce"] + s.Losses["kd"], s.Losses["total"], 1e-4 * Math.Abs(s.Losses["total"])));
        Assert.True(steps[^1].Losses["total"] < steps[0].Losses["total"]);
    }

    [Fact]
    public void DistillationWithoutATeacherIsRefusedUpFront()
    {
        var options = RecognitionTrainerTests.TinyOptions() with { Mode = TrainingMode.Distillation };
        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains("teacher", error.Message);
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
