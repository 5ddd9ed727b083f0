namespace PocketNet.Torch.Tests.Memory;

// LiveCount is process-wide; tests that read it must not run beside other tests that create tensors.
[Collection(MemoryCollection.Name)]
public class DisposeScopeTests
{
    [Fact]
    public void AScopeReleasesEverythingCreatedInsideIt()
    {
        long before = Tensor.LiveCount;
        using (DisposeScope.Enter())
        {
            var a = Tensors.Ones([10]);
            var b = (a * 2 + 1).Exp();
            Assert.True(Tensor.LiveCount >= before + 4);
        }
        Assert.Equal(before, Tensor.LiveCount);
    }

    [Fact]
    public void MovedAndDetachedTensorsSurviveTheirScope()
    {
        long before = Tensor.LiveCount;
        Tensor kept, detached;
        using (var outer = DisposeScope.Enter())
        {
            using (DisposeScope.Enter())
            {
                kept = (Tensors.Ones([2]) * 3).MoveToOuterScope();
                detached = Tensors.Zeros([1]).DetachFromScope();
            }
            Assert.Equal(new float[] { 3, 3 }, kept.ToArray<float>());
            Assert.Same(outer, kept.Scope);
        }
        Assert.True(kept.IsDisposed);
        Assert.False(detached.IsDisposed);
        detached.Dispose();
        Assert.Equal(before, Tensor.LiveCount);
    }

    [Fact]
    public void ScopesMustCloseInnermostFirst()
    {
        var outer = DisposeScope.Enter();
        var inner = DisposeScope.Enter();
        Assert.Throws<InvalidOperationException>(() => outer.Dispose());
        inner.Dispose();
        outer.Dispose();
        Assert.Null(DisposeScope.Current);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryCollection
{
    public const string Name = "native memory accounting";
}

[Collection(MemoryCollection.Name)]
public class DisposeScopeCompactionTests
{
    [Fact]
    public void ALongLivedScopeDoesNotHoldOnToTensorsDisposedEarly()
    {
        using var scope = DisposeScope.Enter();
        var survivors = new List<Tensor>();
        for (int i = 0; i < 5000; i++)
        {
            var t = Tensors.Zeros([1]);
            if (i % 100 == 0) survivors.Add(t);
            else t.Dispose();
        }
        Assert.Equal(50, scope.Count);
        Assert.True(scope.TrackedCount <= 1024, $"{scope.TrackedCount} entries kept for 50 live tensors");
        Assert.All(survivors, t => Assert.False(t.IsDisposed));
    }
}
