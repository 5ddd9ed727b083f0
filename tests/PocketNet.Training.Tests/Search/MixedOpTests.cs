using PocketNet.Models.Search;
using PocketNet.Models.SearchSpace;
using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Training.Tests.Search;

public sealed class MixedOpTests
{
    public static TheoryData<int> Strides => [1, 2];

    [Theory]
    [MemberData(nameof(Strides))]
    public void OneHotWeightsReproduceTheSingleOperation(int stride)
    {
        using var scope = DisposeScope.Enter();
        Engine.ManualSeed(11);
        using var mixed = new MixedOp(channels: 4, stride);
        Tensor input = Tensors.Randn([3, 4, 8, 8]);
        for (int k = 0; k < Primitives.All.Count; k++)
        {
            Primitive primitive = Primitives.All[k];
            Tensor expected = mixed.Operation(primitive).Forward(input);

            // Exactly one-hot: every other term is multiplied by 0, this one by 1.
            var oneHot = new float[Primitives.All.Count];
            oneHot[k] = 1;
            Tensor exact = mixed.Forward(input, Tensors.FromArray(oneHot));
            Assert.Equal(expected.Shape, exact.Shape);
            Assert.True(exact.AllClose(expected, rtol: 0, atol: 1e-7), $"{primitive.Name()} at stride {stride}: one-hot mix differs");

            // The softmax of strongly peaked alphas, as the search would see it.
            var alphas = new float[Primitives.All.Count];
            alphas[k] = 30;
            Tensor almost = mixed.Forward(input, Functional.Softmax(Tensors.FromArray(alphas), 0));
            Assert.True(almost.AllClose(expected, rtol: 1e-5, atol: 1e-5), $"{primitive.Name()} at stride {stride}: softmax-peaked mix differs");
        }
    }

    [Fact]
    public void TheMixIsTheWeightedSumAndNoneAddsNothing()
    {
        using var scope = DisposeScope.Enter();
        Engine.ManualSeed(12);
        using var mixed = new MixedOp(channels: 2, stride: 1);
        Tensor input = Tensors.Randn([2, 2, 6, 6]);
        Tensor weights = Functional.Softmax(Tensors.Randn([Primitives.All.Count]), 0);
        float[] w = weights.ToArray<float>();
        Tensor expected = Tensors.ZerosLike(mixed.Operation(Primitive.MaxPool3x3).Forward(input));
        for (int k = 0; k < Primitives.All.Count; k++)
            expected = expected + mixed.Operation(Primitives.All[k]).Forward(input) * w[k];
        Assert.True(mixed.Forward(input, weights).AllClose(expected, rtol: 1e-5, atol: 1e-6));

        // Batch norms carry no affine parameters in the supernet: the only weights are convolutions and PReLUs.
        Assert.DoesNotContain(mixed.NamedParameters(), p => p.Key.EndsWith(".bias", StringComparison.Ordinal));
        Assert.All(mixed.NamedParameters(), p => Assert.StartsWith("_ops.", p.Key));
    }
}
