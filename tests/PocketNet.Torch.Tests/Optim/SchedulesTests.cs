using PocketNet.Torch.Optim;
using PocketNet.Torch.Optim.Schedules;

namespace PocketNet.Torch.Tests.Optim;

public sealed class SchedulesTests
{
    private static void Near(double expected, double actual) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-12 * Math.Abs(expected) + 1e-18, $"expected {expected:R}, got {actual:R}");

    [Fact]
    public void MultiStepAtTheFactsMilestones()
    {
        var schedule = new MultiStepSchedule(0.1, [8, 14, 20, 25]);
        for (int epoch = 0; epoch < 30; epoch++)
        {
            double expected = epoch switch
            {
                < 8 => 0.1,
                < 14 => 0.01,
                < 20 => 0.001,
                < 25 => 0.0001,
                _ => 0.00001,
            };
            Near(expected, schedule.LearningRateAt(epoch));
        }
    }

    [Fact]
    public void MultiStepSortsMilestonesAndCountsRepeats()
    {
        var schedule = new MultiStepSchedule(1, [5, 2, 5], gamma: 0.5);
        Near(1, schedule.LearningRateAt(1));
        Near(0.5, schedule.LearningRateAt(2));
        Near(0.5, schedule.LearningRateAt(4));
        Near(0.125, schedule.LearningRateAt(5));
    }

    [Fact]
    public void CosineEndpointsAndMidpoint()
    {
        var schedule = new CosineSchedule(0.1, totalSteps: 100, minLr: 0.001);
        Near(0.1, schedule.LearningRateAt(0));
        Near(0.0505, schedule.LearningRateAt(50));                       // (0.1 + 0.001) / 2
        Near(0.001 + 0.099 * 0.85355339059327373, schedule.LearningRateAt(25)); // (1 + cos(pi/4)) / 2
        Near(0.001, schedule.LearningRateAt(100));
        Near(0.001, schedule.LearningRateAt(150));                       // held at the floor past the end
        Assert.True(schedule.LearningRateAt(30) > schedule.LearningRateAt(31));
    }

    [Fact]
    public void CosineWithoutFloorEndsAtZero()
    {
        var schedule = new CosineSchedule(2, totalSteps: 4);
        Near(2, schedule.LearningRateAt(0));
        Near(1, schedule.LearningRateAt(2));
        Assert.Equal(0, schedule.LearningRateAt(4), 15);
    }

    [Fact]
    public void LinearWarmupThenInnerScheduleStartsAfresh()
    {
        var schedule = new LinearWarmupSchedule(new MultiStepSchedule(0.1, [2]), warmupSteps: 5);
        Near(0, schedule.LearningRateAt(0));
        Near(0.02, schedule.LearningRateAt(1));
        Near(0.08, schedule.LearningRateAt(4));
        Near(0.1, schedule.LearningRateAt(5));
        Near(0.1, schedule.LearningRateAt(6));
        Near(0.01, schedule.LearningRateAt(7));

        var fromHalf = new LinearWarmupSchedule(new CosineSchedule(1, 10), warmupSteps: 4, startFactor: 0.5);
        Near(0.5, fromHalf.LearningRateAt(0));
        Near(0.75, fromHalf.LearningRateAt(2));
        Near(1, fromHalf.LearningRateAt(4));
        Near(0.5, fromHalf.LearningRateAt(9));
    }

    [Fact]
    public void ApplyToSetsEveryGroupKeepingItsScale()
    {
        using var scope = DisposeScope.Enter();
        Tensor backbone = Tensors.Zeros([3]).RequiresGradient();
        Tensor head = Tensors.Zeros([2]).RequiresGradient();
        using var sgd = new Sgd([new ParamGroup([backbone]), new ParamGroup([head], learningRateScale: 10)], learningRate: 0.5);
        Assert.Equal(0.5, sgd.ParamGroups[1].LearningRate); // the scale applies when a rate is set for all groups

        var schedule = new MultiStepSchedule(0.1, [8, 14, 20, 25]);
        Near(0.01, schedule.ApplyTo(sgd, 9));
        Near(0.01, sgd.LearningRate);
        Near(0.01, sgd.ParamGroups[0].LearningRate);
        Near(0.1, sgd.ParamGroups[1].LearningRate);
    }
}
