namespace PocketNet.Torch.Tests;

public class SmokeTests
{
    [Fact]
    public void AddsTwoTensors()
    {
        using var scope = DisposeScope.Enter();
        var a = Tensors.FromArray(new float[] { 1, 2, 3 });
        var b = Tensors.FromArray(new float[] { 10, 20, 30 });
        Assert.Equal(new float[] { 11, 22, 33 }, (a + b).ToArray<float>());
    }
}
