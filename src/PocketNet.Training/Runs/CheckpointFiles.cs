using System.Text.Json;
using PocketNet.Torch.NN;
using PocketNet.Torch.Optim;
using PocketNet.Training.Progress;

namespace PocketNet.Training.Runs;

/// <summary>A run's position as recorded in a checkpoint: epochs fully done, optimiser steps taken.</summary>
public interface IRunPosition
{
    int CompletedEpochs { get; }
    long GlobalStep { get; }
}

/// <summary>
/// What one kind of run keeps in each epoch checkpoint: named modules and optimisers (safetensors files)
/// and a position (position.json). Saving goes through <see cref="RunDirectory.WriteCheckpoint"/>, so it is atomic;
/// loading restores everything from the newest checkpoint.
/// </summary>
public sealed class CheckpointFiles(RunDirectory run, IReadOnlyList<(string File, Module Module)> modules,
    IReadOnlyList<(string File, Optimizer Optimizer)> optimizers)
{
    public const string PositionFile = "position.json";

    /// <summary>Writes the checkpoint after <paramref name="position"/>.CompletedEpochs epochs; <paramref name="extra"/> may add files.</summary>
    public string Save<TPosition>(TPosition position, Action<string>? extra = null) where TPosition : IRunPosition =>
        run.WriteCheckpoint(position.CompletedEpochs, folder =>
        {
            foreach (var (file, module) in modules) WeightFiles.SaveModule(module, Path.Combine(folder, file));
            foreach (var (file, optimizer) in optimizers) WeightFiles.SaveOptimizer(optimizer, Path.Combine(folder, file));
            File.WriteAllText(Path.Combine(folder, PositionFile), JsonSerializer.Serialize(position, EventLog.JsonOptions));
            extra?.Invoke(folder);
        });

    /// <summary>Restores the newest checkpoint into the modules and optimisers; null when the run has none yet.</summary>
    public TPosition? LoadNewest<TPosition>(IProgress<TrainingEvent> log) where TPosition : class, IRunPosition
    {
        IReadOnlyList<int> checkpoints = run.Checkpoints();
        if (checkpoints.Count == 0) return null;
        string folder = run.CheckpointPath(checkpoints[^1]);
        foreach (var (file, module) in modules) WeightFiles.LoadModule(module, Path.Combine(folder, file));
        foreach (var (file, optimizer) in optimizers) WeightFiles.LoadOptimizer(optimizer, Path.Combine(folder, file));
        string positionPath = Path.Combine(folder, PositionFile);
        var position = JsonSerializer.Deserialize<TPosition>(File.ReadAllText(positionPath), EventLog.JsonOptions)
                       ?? throw new InvalidDataException($"{positionPath} is empty");
        log.Report(new RunMessage($"resumed from {folder} (after epoch {position.CompletedEpochs}, step {position.GlobalStep})"));
        return position;
    }
}
