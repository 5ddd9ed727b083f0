namespace PocketNet.Torch.Tests;

/// <summary>The engine's thread count: every core to compute, one left to a process that also serves pages, POCKETNET_THREADS over both.</summary>
public sealed class EngineThreadsTests
{
    [Fact]
    public void AProcessThatServesPagesLeavesThemACore()
    {
        if (Environment.GetEnvironmentVariable(EngineThreads.Variable) is { Length: > 0 } configured)
        {
            Assert.Equal(int.Parse(configured), EngineThreads.Choose(servesPages: true));
            Assert.Equal(int.Parse(configured), EngineThreads.Choose(servesPages: false));
            return;
        }
        int cores = Environment.ProcessorCount;
        Assert.Equal(cores, EngineThreads.Choose(servesPages: false));
        Assert.Equal(cores > 1 ? cores - 1 : 1, EngineThreads.Choose(servesPages: true));
    }
}
