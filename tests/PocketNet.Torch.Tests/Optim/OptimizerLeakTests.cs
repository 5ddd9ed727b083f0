using PocketNet.Torch.Optim;

namespace PocketNet.Torch.Tests.Optim;

/// <summary>Tensor.LiveCount is process-wide, so these run alone, not beside other test classes.</summary>
[CollectionDefinition(nameof(OptimizerLeakTests), DisableParallelization = true)]
public sealed class OptimizerLeakCollection;

[Collection(nameof(OptimizerLeakTests))]
public sealed class OptimizerLeakTests
{
    public static IEnumerable<object[]> Kinds => [["sgd"], ["adam"]];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void StepsDoNotLeakHandles(string kind)
    {
        long start = Tensor.LiveCount;
        using (var scope = DisposeScope.Enter())
        {
            Tensor w = Tensors.Ones([8, 4]).RequiresGradient().DetachFromScope();
            Tensor b = Tensors.Zeros([8]).RequiresGradient().DetachFromScope();
            Tensor x = Tensors.Randn([16, 4]).DetachFromScope();
            using Optimizer optimizer = kind == "sgd"
                ? new Sgd([w, b], 0.01, momentum: 0.9, weightDecay: 1e-3, nesterov: true)
                : new Adam([w, b], 1e-3, weightDecay: 1e-3, amsgrad: true);

            void Train()
            {
                using var step = DisposeScope.Enter();
                optimizer.ZeroGrad();
                (x.MatMul(w.Transpose(0, 1)) + b).Square().Mean().Backward();
                GradientClipping.ClipGradNorm(optimizer.Parameters, 1.0);
                optimizer.Step();
                _ = optimizer.StateDict();
            }

            Train(); // creates the state buffers
            long afterFirst = Tensor.LiveCount;
            for (int i = 0; i < 100; i++) Train();
            Assert.Equal(afterFirst, Tensor.LiveCount);

            w.Dispose();
            b.Dispose();
            x.Dispose();
        }
        // Disposing the optimiser released its buffers too.
        Assert.Equal(start, Tensor.LiveCount);
    }
}
