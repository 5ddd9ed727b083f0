using PocketNet.Models.Search;
using PocketNet.Models.SearchSpace;
using PocketNet.Torch;
using PocketNet.Torch.NN;
using PocketNet.Torch.Optim;
using PocketNet.Training.Search;
using Xunit.Abstractions;

namespace PocketNet.Training.Tests.Search;

/// <summary>
/// The unrolled architecture gradient against a direct finite difference of the function it
/// differentiates, F(α) = L_val(w − ξ·∇w L_trn(w, α), α), on a tiny supernet in float64.
/// </summary>
[Collection(GlobalRandomCollection.Name)]
public sealed class ArchitectGradientTests(ITestOutputHelper output)
{
    private const double Xi = 0.5;

    [Theory]
    [InlineData(21)]
    [InlineData(5)]
    [InlineData(1)]
    public void SecondOrderGradientMatchesAFiniteDifferenceOfTheUnrolledLoss(int seed)
    {
        using var scope = DisposeScope.Enter();
        Engine.ManualSeed((ulong)seed);
        using SearchNetwork network = Tiny();
        using SearchNetwork unrolled = Tiny();
        Tensor trainImages = Tensors.Randn([4, 3, 16, 16], ScalarType.Float64);
        Tensor trainLabels = Tensors.FromArray(new long[] { 0, 1, 2, 1 });
        Tensor validationImages = Tensors.Randn([4, 3, 16, 16], ScalarType.Float64);
        Tensor validationLabels = Tensors.FromArray(new long[] { 2, 0, 1, 0 });
        Smooth(network);

        IReadOnlyList<Tensor> alphas = network.Alphas();
        new Architect(network, unrolled, momentum: 0, weightDecay: 0)
            .Backward(trainImages, trainLabels, validationImages, validationLabels, Xi, weightOptimizer: null);
        Tensor[] secondOrder = alphas.Select(a => a.Grad!).ToArray();
        // The same with a much finer difference for the Hessian-vector product: then only rounding separates it from the truth.
        new Architect(network, unrolled, momentum: 0, weightDecay: 0, finiteDifferenceScale: 1e-5)
            .Backward(trainImages, trainLabels, validationImages, validationLabels, Xi, weightOptimizer: null);
        Tensor[] fine = alphas.Select(a => a.Grad!).ToArray();
        new Architect(network, null, momentum: 0, weightDecay: 0)
            .Backward(trainImages, trainLabels, validationImages, validationLabels, Xi, weightOptimizer: null);
        Tensor[] firstOrder = alphas.Select(a => a.Grad!).ToArray();

        Func<double> unrolledLoss = () => UnrolledLoss(network, trainImages, trainLabels, validationImages, validationLabels);
        for (int direction = 0; direction < 3; direction++)
        {
            Tensor[] v = alphas.Select(a => Tensors.Randn(a.Shape, ScalarType.Float64)).ToArray();
            double numeric = DirectionalDerivative(alphas, v, unrolledLoss, h: 1e-7);
            double analytic = Dot(secondOrder, v), precise = Dot(fine, v), naive = Dot(firstOrder, v);
            output.WriteLine($"direction {direction}: finite difference {numeric:E6}, second order {analytic:E6} " +
                             $"(fine difference {precise:E6}), first order {naive:E6}");
            // With a fine difference the unrolled gradient is the derivative of F up to rounding (and the rare
            // kink of the unrolled network's PReLUs, whose slopes the virtual step moves off 1).
            Assert.True(Math.Abs(precise - numeric) <= 2e-4 * Math.Abs(numeric) + 1e-6,
                $"second-order gradient (fine difference) along direction {direction}: {precise:E6} vs finite difference {numeric:E6}");
            // The reference's difference (ε·‖v‖ = 0.01) adds its own truncation error (about 3 % at worst over a few seeds here).
            Assert.True(Math.Abs(analytic - numeric) <= 0.1 * Math.Abs(numeric) + 1e-6,
                $"second-order gradient along direction {direction}: {analytic:E6} vs finite difference {numeric:E6}");
            // The unrolling matters at this ξ: the first-order gradient is far off.
            Assert.True(Math.Abs(naive - numeric) > 10 * Math.Abs(precise - numeric) && Math.Abs(naive - numeric) > 0.2 * Math.Abs(numeric),
                $"first order {naive:E6} should miss {numeric:E6} clearly");
        }
    }

    [Fact]
    public void TheVirtualStepIsTheStepTheWeightOptimiserWouldTake()
    {
        using var scope = DisposeScope.Enter();
        Engine.ManualSeed(22);
        using var network = new SearchNetwork(classes: 3, channels: 2, cells: 3, nodes: 2, inputSize: 16);
        using var unrolled = new SearchNetwork(classes: 3, channels: 2, cells: 3, nodes: 2, inputSize: 16);
        Tensor images = Tensors.Randn([4, 3, 16, 16]);
        Tensor labels = Tensors.FromArray(new long[] { 0, 1, 2, 1 });
        const double momentum = 0.9, decay = 3e-4, lr = 0.1;
        using var optimizer = new Sgd(network.Weights(), lr, momentum, weightDecay: decay);
        // One real step, so that momentum buffers exist.
        Functional.CrossEntropy(network.Forward(images), labels).Backward();
        optimizer.Step();
        optimizer.ZeroGrad();
        network.ZeroGrad();

        IReadOnlyList<Tensor> weights = network.Weights();
        Tensor?[] gradients = Autograd.Grad([Functional.CrossEntropy(network.Forward(images), labels)], weights, allowUnused: true);
        var buffers = optimizer.StateDict().Tensors.ToDictionary(kv => kv.Key, kv => kv.Value);
        new Architect(network, unrolled, momentum, decay).Backward(images, labels, images, labels, lr, optimizer);

        IReadOnlyList<Tensor> virtualWeights = unrolled.Weights();
        for (int i = 0; i < weights.Count; i++)
        {
            Tensor buffer = buffers[OptimizerState.TensorKey(i, "momentum_buffer")];
            Tensor expected = weights[i] - (buffer * momentum + gradients[i]! + weights[i] * decay) * lr;
            Assert.True(virtualWeights[i].AllClose(expected, rtol: 1e-5, atol: 1e-6), $"virtual weight {i} is not w - ξ(μ·buf + g + λw)");
        }
        Assert.All(network.Alphas().Zip(unrolled.Alphas()), p => Assert.True(p.First.AllClose(p.Second, 0, 0)));
        Assert.All(network.Alphas(), a => Assert.NotNull(a.Grad));
        Assert.All(network.Weights(), w => Assert.Null(w.Grad)); // gradients taken functionally: nothing accumulated
    }

    /// <summary>
    /// DARTS estimates the Hessian-vector product by central differences 0.01 / ‖v‖ apart in weight space,
    /// which is only accurate where the training gradient is smooth. PReLU (slope 0.25 below zero) and max
    /// pooling make it jump wherever an activation crosses zero or a window's maximum changes, and a tiny
    /// network has too few units for those jumps to average out. So the check runs on a smooth point of
    /// the same function: PReLU slopes at 1 (linear) and max pooling's alphas at -30 (softmax weight ~1e-13),
    /// the other alphas spread so every primitive matters.
    /// </summary>
    private static void Smooth(SearchNetwork network)
    {
        using var noGrad = Engine.NoGrad();
        foreach (var (_, module) in network.NamedModules())
            if (module is PReLU prelu) prelu.Weight.Fill(1);
        int maxPool = Primitives.All.ToList().IndexOf(Primitive.MaxPool3x3);
        foreach (Tensor alpha in network.Alphas())
        {
            Tensor values = Tensors.Randn(alpha.Shape, ScalarType.Float64) * 0.5;
            values.Select(1, maxPool).Fill(-30);
            alpha.CopyFrom(values);
        }
    }

    private static SearchNetwork Tiny()
    {
        // Cells 0 (normal), 1 and 2 (reductions): both cell types, each with two nodes.
        var network = new SearchNetwork(classes: 3, channels: 2, cells: 3, nodes: 2, inputSize: 16);
        network.To(ScalarType.Float64);
        return network;
    }

    /// <summary>F(α) at the network's current alphas: one plain SGD step of the weights on the training batch, then the validation loss.</summary>
    private static double UnrolledLoss(SearchNetwork network, Tensor trainImages, Tensor trainLabels, Tensor validationImages, Tensor validationLabels)
    {
        using var scope = DisposeScope.Enter();
        IReadOnlyList<Tensor> weights = network.Weights();
        Tensor trainLoss = Functional.CrossEntropy(network.Forward(trainImages), trainLabels);
        Tensor?[] gradients = Autograd.Grad([trainLoss], weights, allowUnused: true);
        Tensor[] saved;
        using (Engine.NoGrad())
        {
            saved = weights.Select(w => w.Clone()).ToArray();
            for (int i = 0; i < weights.Count; i++)
                if (gradients[i] is { } g) weights[i].AddInPlace(g, -Xi);
        }
        double loss;
        using (Engine.NoGrad()) loss = Functional.CrossEntropy(network.Forward(validationImages), validationLabels).Item();
        using (Engine.NoGrad())
            for (int i = 0; i < weights.Count; i++) weights[i].CopyFrom(saved[i]);
        return loss;
    }

    private static double DirectionalDerivative(IReadOnlyList<Tensor> alphas, Tensor[] v, Func<double> f, double h)
    {
        Tensor[] saved;
        using (Engine.NoGrad()) saved = alphas.Select(a => a.Clone()).ToArray();
        void Shift(double t)
        {
            using var noGrad = Engine.NoGrad();
            for (int i = 0; i < alphas.Count; i++) alphas[i].CopyFrom(saved[i]).AddInPlace(v[i], t);
        }
        Shift(h);
        double plus = f();
        Shift(-h);
        double minus = f();
        Shift(0);
        return (plus - minus) / (2 * h);
    }

    private static double Dot(Tensor[] a, Tensor[] b) => a.Zip(b).Sum(p => (p.First * p.Second).Sum().Item());
}
