namespace PocketNet.Torch.Optim.Schedules;

/// <summary>
/// A learning rate as a pure function of a zero-based time index: the epoch for epoch-wise schedules,
/// the iteration for step-wise ones. Being stateless, a schedule resumes from a checkpoint by itself.
/// </summary>
public interface ILearningRateSchedule
{
    double LearningRateAt(int t);
}
