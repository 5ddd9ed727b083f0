namespace PocketNet.Torch.Optim.Schedules;

public static class ScheduleExtensions
{
    /// <summary>
    /// Sets <paramref name="optimizer"/>'s learning rate (every group, times its scale) to the schedule's
    /// value at <paramref name="t"/>, and returns that value. Call it before the epoch or step it is for.
    /// </summary>
    public static double ApplyTo(this ILearningRateSchedule schedule, Optimizer optimizer, int t)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(optimizer);
        double lr = schedule.LearningRateAt(t);
        optimizer.LearningRate = lr;
        return lr;
    }
}
