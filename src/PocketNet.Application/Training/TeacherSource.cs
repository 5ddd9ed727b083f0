using PocketNet.Models.Registry;

namespace PocketNet.Application.Training;

/// <summary>
/// A distillation teacher as a front end found it: its network, its weights file (kd) and the run folder that trained it
/// (multi-step kd: its per-epoch checkpoints). The portal finds it by stored model id, the CLI by name and paths.
/// </summary>
public sealed record TeacherSource(string Name, ModelConfig? Config, string? Weights, string? Run);
