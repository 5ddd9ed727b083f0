using PocketNet.Torch;
using PocketNet.Torch.NN;
using PocketNet.Torch.Serialization;

namespace PocketNet.Models.Tests.Support;

/// <summary>The two checks every registry network takes against its PyTorch build (python/*_reference.py).</summary>
public static class ReferenceParity
{
    /// <summary>Our eval forward equals PyTorch's on the same (randomised) weights and images.</summary>
    public static void AssertEvalForwardMatches(Module<Tensor, Tensor> network, string name, int embeddingSize)
    {
        using var scope = DisposeScope.Enter();
        ParityWeights.Randomise(network);
        network.Eval();
        Tensor images = ParityWeights.Images();
        float[] ours;
        using (Engine.NoGrad()) ours = network.Forward(images).ToArray<float>();
        var theirs = BaselineOracle.Forward(name, embeddingSize, network.StateDict(), images);
        Assert.Equal([2L, embeddingSize], theirs.Shape);
        Embeddings.AssertClose(theirs.ToFloats(), ours);
    }

    /// <summary>A state_dict PyTorch torch.save'd under the reference's names loads strictly and embeds as PyTorch did.</summary>
    public static void AssertTorchCheckpointLoads(Module<Tensor, Tensor> network, string name, int embeddingSize)
    {
        using var scope = DisposeScope.Enter();
        using var folder = new TempDirectory();
        Tensor images = ParityWeights.Images();
        var expected = BaselineOracle.SaveCheckpoint(name, embeddingSize, folder.Path, images);
        using (TensorDictionary checkpoint = TorchCheckpoint.Load(Path.Combine(folder.Path, "model.pth")))
            network.LoadStateDict(checkpoint);
        network.Eval();
        using var noGrad = Engine.NoGrad();
        Embeddings.AssertClose(expected.ToFloats(), network.Forward(images).ToArray<float>());
    }
}
