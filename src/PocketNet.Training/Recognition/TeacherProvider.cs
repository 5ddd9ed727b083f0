using PocketNet.Models.Registry;
using PocketNet.Torch;
using PocketNet.Torch.NN;
using PocketNet.Training.Runs;

namespace PocketNet.Training.Recognition;

/// <summary>Supplies the frozen teacher network for each student epoch of a distillation run.</summary>
public interface ITeacherProvider : IDisposable
{
    /// <summary>The teacher for zero-based student epoch <paramref name="epoch"/>, in eval mode on the training device.</summary>
    Module<Tensor, Tensor> ForEpoch(int epoch);

    /// <summary>Which weights the teacher of an epoch uses (for the log and the tests).</summary>
    string SourceFor(int epoch);
}

/// <summary>Plain distillation: one teacher, loaded once, for every epoch.</summary>
public sealed class FixedTeacher : ITeacherProvider
{
    private readonly Module<Tensor, Tensor> _teacher;
    private readonly string _weights;

    public FixedTeacher(ModelConfig config, string weights, Device device)
    {
        _weights = weights;
        _teacher = ModelRegistry.Create(config);
        _teacher.To(device);
        WeightFiles.LoadModule(_teacher, weights);
        _teacher.Eval();
    }

    public Module<Tensor, Tensor> ForEpoch(int epoch) => _teacher;

    public string SourceFor(int epoch) => _weights;

    public void Dispose() => _teacher.Dispose();
}

/// <summary>
/// Multi-step distillation (PocketNet, Sec. III-C): the teacher was trained first and checkpointed after
/// every epoch; during zero-based student epoch e the student learns from the teacher checkpoint taken
/// after e + 1 completed teacher epochs, so teacher and student mature together. The teacher's backbone
/// is swapped in place when the epoch changes.
/// </summary>
public sealed class MultiStepTeacher : ITeacherProvider
{
    public const string BackboneFile = "backbone.safetensors";

    private readonly Module<Tensor, Tensor> _teacher;
    private readonly RunDirectory _teacherRun;
    private int _loadedEpoch = -1;

    public MultiStepTeacher(ModelConfig config, string teacherRun, Device device)
    {
        _teacherRun = new RunDirectory(teacherRun);
        if (_teacherRun.Checkpoints().Count == 0)
            throw new DirectoryNotFoundException($"the teacher run {_teacherRun.Path} has no checkpoints (expected {RunDirectory.CheckpointsFolder}/epoch-NNNN/{BackboneFile})");
        _teacher = ModelRegistry.Create(config);
        _teacher.To(device);
        _teacher.Eval();
    }

    public string SourceFor(int epoch) => Path.Combine(_teacherRun.CheckpointPath(epoch + 1), BackboneFile);

    public Module<Tensor, Tensor> ForEpoch(int epoch)
    {
        if (epoch == _loadedEpoch) return _teacher;
        string weights = SourceFor(epoch);
        if (!File.Exists(weights))
            throw new FileNotFoundException(
                $"student epoch {epoch + 1} needs the teacher after {epoch + 1} epochs, but {weights} does not exist " +
                $"(the teacher run has checkpoints after epochs {string.Join(", ", _teacherRun.Checkpoints())})", weights);
        WeightFiles.LoadModule(_teacher, weights);
        _loadedEpoch = epoch;
        return _teacher;
    }

    public void Dispose() => _teacher.Dispose();
}
