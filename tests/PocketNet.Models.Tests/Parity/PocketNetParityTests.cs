using System.Text.Json;
using PocketNet.Models.Heads;
using PocketNet.Models.Registry;
using PocketNet.Torch;
using PocketNet.Torch.NN;
using PocketNet.Torch.Optim;
using Xunit.Abstractions;

namespace PocketNet.Models.Tests.Parity;

/// <summary>
/// PocketNetS-128 and PocketNetM-256 against an independent PyTorch build of the reference wiring
/// (python/pocketnet_reference.py) on identical weights: state_dict layout, eval embeddings, and one
/// ArcFace training step (loss, every updated weight, batch-norm running statistics).
/// </summary>
public class PocketNetParityTests(PocketNetOracle oracle, ITestOutputHelper output) : IClassFixture<PocketNetOracle>
{
    /// <summary>
    /// Float32 tolerances of the training step. The eval forward agrees bit for bit (the same ATen kernels
    /// do the same sums), but the head's backward is composed of different, equivalent ops than the
    /// reference's, so its gradients differ in the last ulp; back-propagating through ~40 train-mode batch
    /// norms, whose backward subtracts means (cancellation) and divides by small batch-of-4 deviations,
    /// grows this to ~1e-5 of each tensor's largest gradient (measured ≤ 6e-6), hence gradients are
    /// compared to 1e-4 of their tensor's largest element. Updated weights: 1e-4 absolute and relative
    /// (float32 rounding of values up to ~10 after a large first step) plus lr times the gradient bound.
    /// A wiring or backward bug is off by O(1) of the gradient, far outside either bound.
    /// </summary>
    private const double WeightTolerance = 1e-4, GradientTolerance = 1e-4;

    [Fact]
    public void OurGenotypeTextParsesInPythonToTheReferenceGenotype()
    {
        JsonElement genotype = oracle.Results.GetProperty("genotype");
        Assert.True(genotype.GetProperty("equals_reference").GetBoolean(),
            $"our Genotype.PocketNet text {Models.SearchSpace.Genotype.PocketNet} reads in PyTorch as {genotype}");
    }

    [Theory]
    // Reduction cells: 6, 12, 17 of 18 (S) and 3, 6, 8 of 9 (M); the cell after one pre-processes s0 with a
    // FactorizedReduce (convXY keys); dag.1.0 of a normal cell is dw_conv_3x3 (net.N keys).
    [InlineData("pocketnet-s-128", "cells.7.preproc0.conv11.weight", "cells.3.dag.1.0.net.1.weight")]
    [InlineData("pocketnet-m-256", "cells.4.preproc0.conv11.weight", "cells.2.dag.1.0.net.1.weight")]
    public void StateDictKeysOrderShapesAndTypesMatchPyTorch(string name, string factorizedReduceKey, string normalEdgeKey)
    {
        JsonElement variant = oracle.Variant(name);
        var expected = variant.GetProperty("layout").EnumerateArray()
            .Select(e => (Key: e[0].GetString()!, Shape: e[1].EnumerateArray().Select(d => d.GetInt64()).ToArray(), DType: e[2].GetString()!))
            .ToList();
        using var network = ModelRegistry.Create(ModelRegistry.Resolve(name));
        var actual = network.StateDict()
            .Select(kv => (kv.Key, kv.Value.Shape, DType: RawTensors.DTypeName(kv.Value.DType))).ToList();

        Assert.Equal(expected.Select(e => e.Key), actual.Select(a => a.Key));
        foreach (var (e, a) in expected.Zip(actual))
        {
            Assert.True(e.Shape.SequenceEqual(a.Shape), $"{e.Key}: PyTorch [{string.Join(", ", e.Shape)}], ours [{string.Join(", ", a.Shape)}]");
            Assert.True(e.DType == a.DType, $"{e.Key}: PyTorch {e.DType}, ours {a.DType}");
        }

        // Names the published checkpoints carry.
        string[] published = ["stem.0.weight", "stem.1.running_mean", "cells.3.preproc0.net.1.weight",
            normalEdgeKey, "tail.4.weight", factorizedReduceKey];
        Assert.All(published, key => Assert.Contains(key, actual.Select(a => a.Key)));

        // The oracle reproduces the reference's measured parameter count, and so do we.
        long reference = variant.GetProperty("reference_parameters").GetInt64();
        Assert.Equal(reference, variant.GetProperty("parameters").GetInt64());
        Assert.Equal(reference, network.ParameterCount());
    }

    [Theory]
    [InlineData("pocketnet-s-128")]
    [InlineData("pocketnet-m-256")]
    public void EvalEmbeddingsMatchPyTorchOnTheSameWeights(string name)
    {
        oracle.AssertStageRan(name, "eval");
        using var scope = DisposeScope.Enter();
        using var network = oracle.Network(name);
        network.Eval();
        Tensor images = oracle.Read("images_eval")["images"].ToTensor();
        float[] ours;
        using (Engine.NoGrad()) ours = network.Forward(images).ToArray<float>();

        var theirs = oracle.Read($"{name}.eval")["embedding"];
        Assert.Equal([2L, ModelRegistry.Resolve(name).EmbeddingSize], theirs.Shape);
        float[] reference = theirs.ToFloats();
        double maxDiff = Closeness.MaxAbsDiff(ours, reference);
        double scale = reference.Max(v => Math.Abs((double)v));
        output.WriteLine($"{name} eval: max |ours - PyTorch| = {maxDiff:g3}, max |embedding| = {scale:g3}");
        // Randomised BN statistics keep activations near unit scale, so an absolute bound is meaningful.
        Assert.InRange(scale, 0.1, 100);
        Assert.True(maxDiff < 1e-4, $"max |ours - PyTorch| = {maxDiff:g3} (max |embedding| {scale:g3})");
    }

    [Theory]
    [InlineData("pocketnet-s-128")]
    [InlineData("pocketnet-m-256")]
    public void OneArcFaceTrainingStepMatchesPyTorch(string name)
    {
        oracle.AssertStageRan(name, "train");
        using var scope = DisposeScope.Enter();
        using var network = oracle.Network(name);
        using var head = oracle.Head(name);
        var batch = oracle.Read("images_train");
        Tensor images = batch["images"].ToTensor(), labels = batch["labels"].ToTensor();

        // As train/train_kd.py without the teacher: F.normalize(backbone) -> ArcFace -> CE, one SGD per module.
        network.Train();
        head.Train();
        using var backboneSgd = new Sgd(network.Parameters(), PocketNetOracle.LearningRate, PocketNetOracle.Momentum,
            weightDecay: PocketNetOracle.WeightDecay);
        using var headSgd = new Sgd(head.Parameters(), PocketNetOracle.LearningRate, PocketNetOracle.Momentum,
            weightDecay: PocketNetOracle.WeightDecay);
        Tensor embedding = network.Forward(images);
        Tensor logits = head.Forward(Functional.Normalize(embedding, dim: 1), labels);
        Tensor loss = Functional.CrossEntropy(logits, labels);
        loss.Backward();
        var grads = network.NamedParameters().Select(p => new KeyValuePair<string, float[]>(p.Key, p.Value.Grad!.ToArray<float>()))
            .Append(new("head.kernel", head.Kernel.Grad!.ToArray<float>())).ToList();
        backboneSgd.Step();
        headSgd.Step();

        var theirs = oracle.Read($"{name}.train");
        var failures = new List<string>();
        void Check(string key, float[] ours, double atol, double rtol)
        {
            if (Closeness.Check(key, ours, theirs[key].ToFloats(), atol, rtol) is { } failure) failures.Add(failure);
        }

        double theirLoss = theirs["loss"].ToFloats()[0];
        output.WriteLine($"{name} train: loss ours {loss.Item():r}, PyTorch {theirLoss:r}");
        Check("loss", [(float)loss.Item()], 1e-5, 1e-5);
        Check("embedding", embedding.ToArray<float>(), 1e-4, 1e-4);
        Check("logits", logits.ToArray<float>(), 1e-3, 1e-4);

        // Updated state: every parameter and BN running statistic, element-wise; num_batches_tracked exactly.
        // After one step w' = w - lr (g + wd w), so a gradient that is right to GradientTolerance of its
        // tensor's largest element may move w' by lr times that: it widens the bound of parameters.
        double worstWeight = 0;
        foreach (var (key, tensor) in network.StateDict().Append(new("head.kernel", head.Kernel)))
        {
            if (tensor.DType == ScalarType.Int64)
            {
                long ourCount = tensor.ItemLong(), theirCount = BitConverter.ToInt64(theirs[key].Bytes);
                if (ourCount != theirCount) failures.Add($"{key}: {ourCount} here, {theirCount} in PyTorch");
                continue;
            }
            float[] ours = tensor.ToArray<float>(), reference = theirs[key].ToFloats();
            double atol = WeightTolerance;
            if (theirs.TryGetValue("grad." + key, out var grad))
                atol += PocketNetOracle.LearningRate * GradientTolerance * grad.ToFloats().Max(v => Math.Abs((double)v));
            worstWeight = Math.Max(worstWeight, Closeness.WorstFractionOfTolerance(ours, reference, atol, WeightTolerance));
            if (Closeness.Check(key, ours, reference, atol, WeightTolerance) is { } failure) failures.Add(failure);
        }

        // Gradients, relative to each tensor's largest one: this is what catches a wrong backward in a
        // tensor whose update lr·g is small next to the weight tolerance.
        double worstGradient = 0;
        foreach (var (key, grad) in grads)
        {
            float[] reference = theirs["grad." + key].ToFloats();
            double largest = reference.Max(v => Math.Abs((double)v));
            double diff = Closeness.MaxAbsDiff(grad, reference);
            double bound = 1e-6 + GradientTolerance * largest;
            worstGradient = Math.Max(worstGradient, diff / bound);
            if (diff > bound)
                failures.Add($"grad {key}: max |diff| {diff:g3} exceeds 1e-6 + {GradientTolerance:g2} x max |grad| ({largest:g3})");
        }
        output.WriteLine($"{name} train: worst diff / tolerance: updated state {worstWeight:g3}, gradients {worstGradient:g3}");
        Closeness.AssertNone(failures, $"{name} after one SGD step");
    }

    [Fact]
    public void ArcFaceHeadMatchesPyTorchOnTheMarginAndTheFallbackBranch()
    {
        if (oracle.Results.TryGetProperty("head_case_error", out JsonElement error)) Assert.Fail(error.GetString());
        using var scope = DisposeScope.Enter();
        var theirs = oracle.Read("head_case");
        long[] kernelShape = theirs["kernel"].Shape;
        using var head = new ArcFaceHead((int)kernelShape[0], (int)kernelShape[1], PocketNetOracle.Scale, PocketNetOracle.Margin);
        head.LoadStateDict(new Dictionary<string, Tensor> { ["kernel"] = theirs["kernel"].ToTensor() });
        Tensor embeddings = theirs["embeddings"].ToTensor();
        embeddings.RequiresGrad = true;
        Tensor labels = theirs["labels"].ToTensor();

        Tensor logits = head.Forward(embeddings, labels);
        Tensor loss = Functional.CrossEntropy(logits, labels);
        loss.Backward();

        var failures = new List<string?>
        {
            Closeness.Check("logits", logits.ToArray<float>(), theirs["logits"].ToFloats(), 1e-4, 1e-5),
            Closeness.Check("loss", [(float)loss.Item()], theirs["loss"].ToFloats(), 1e-5, 1e-5),
            Closeness.Check("grad embeddings", embeddings.Grad!.ToArray<float>(), theirs["grad_embeddings"].ToFloats(), 1e-5, 1e-4),
            Closeness.Check("grad kernel", head.Kernel.Grad!.ToArray<float>(), theirs["grad_kernel"].ToFloats(), 1e-4, 1e-4),
        };
        Closeness.AssertNone(failures.OfType<string>().ToList(), "ArcFace head");
    }
}
