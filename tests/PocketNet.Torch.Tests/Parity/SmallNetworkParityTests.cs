using PocketNet.Torch.NN;
using PocketNet.Torch.Optim;
using PocketNet.Torch.Serialization;
using Xunit.Abstractions;

namespace PocketNet.Torch.Tests.Parity;

/// <summary>
/// Engine-level parity: a small network built from our modules (strided conv with bias, grouped conv,
/// strided depthwise conv, batch norm, per-channel and shared PReLU, padded max pooling, average pooling
/// that ignores padding, linear) starts from a state_dict PyTorch saved with torch.save, and must give
/// PyTorch's eval logits, train logits, loss, gradients and weights after two SGD steps (momentum, weight
/// decay), batch-norm running statistics included (python/small_network_reference.py).
/// </summary>
public class SmallNetworkParityTests(SmallNetworkParityTests.Reference reference, ITestOutputHelper output)
    : IClassFixture<SmallNetworkParityTests.Reference>
{
    // Float32 throughout. With the same ATen build on both sides the results come out bit-identical; the
    // sums are tiny (at most 8·9 terms per output, 4·10·10 per weight gradient), so another build or thread
    // count changes them by a few ulps at most. 1e-5 relative covers that, while any wiring or semantic
    // mistake (padding counted in the average, a wrong group count, momentum off) is off by far more.
    private const double Atol = 1e-5, Rtol = 1e-5;

    private (string Key, double Fraction) _worst = ("", 0);

    public sealed class SmallNet : Module<Tensor, Tensor>
    {
        private readonly Conv2d _conv1, _conv2, _conv3;
        private readonly BatchNorm2d _bn1, _bn2;
        private readonly PReLU _act1, _act2;
        private readonly MaxPool2d _pool1;
        private readonly AvgPool2d _pool2;
        private readonly Linear _fc;

        public SmallNet()
        {
            _conv1 = RegisterModule("conv1", new Conv2d(3, 8, 3, stride: 2, padding: 1, bias: true));
            _bn1 = RegisterModule("bn1", new BatchNorm2d(8));
            _act1 = RegisterModule("act1", new PReLU(8));
            _conv2 = RegisterModule("conv2", new Conv2d(8, 16, 3, stride: 1, padding: 1, groups: 4, bias: false));
            _bn2 = RegisterModule("bn2", new BatchNorm2d(16));
            _act2 = RegisterModule("act2", new PReLU());
            _pool1 = RegisterModule("pool1", new MaxPool2d(3, 2, 1));
            _conv3 = RegisterModule("conv3", new Conv2d(16, 16, 3, stride: 2, padding: 1, groups: 16, bias: true));
            _pool2 = RegisterModule("pool2", new AvgPool2d(3, 2, 1, countIncludePad: false));
            _fc = RegisterModule("fc", new Linear(16 * 2 * 2, 5));
        }

        public override Tensor Forward(Tensor input)
        {
            using var scope = DisposeScope.Enter();
            Tensor x = _act1.Forward(_bn1.Forward(_conv1.Forward(input)));
            x = _pool1.Forward(_act2.Forward(_bn2.Forward(_conv2.Forward(x))));
            x = _pool2.Forward(_conv3.Forward(x));
            return _fc.Forward(x.Flatten(1)).MoveToOuterScope();
        }
    }

    /// <summary>Runs the Python side once for the class and imports its three checkpoints.</summary>
    public sealed class Reference : IDisposable
    {
        private readonly TempDirectory _folder = new();

        public Reference()
        {
            PythonRunner.Run("small_network_reference.py", _folder.Path);
            Initial = TorchCheckpoint.Load(Path.Combine(_folder.Path, "initial.pth"));
            Batch = TorchCheckpoint.Load(Path.Combine(_folder.Path, "batch.pth"));
            Expected = TorchCheckpoint.Load(Path.Combine(_folder.Path, "expected.pth"));
        }

        public TensorDictionary Initial { get; }
        public TensorDictionary Batch { get; }
        public TensorDictionary Expected { get; }

        public void Dispose()
        {
            Initial.Dispose();
            Batch.Dispose();
            Expected.Dispose();
            _folder.Dispose();
        }
    }

    [Fact]
    public void OurStateDictHasPyTorchsKeysInItsOrder()
    {
        using var net = new SmallNet();
        Assert.Equal(reference.Initial.Keys, net.StateDict().Select(kv => kv.Key));
        foreach (var (key, tensor) in net.StateDict())
        {
            Assert.Equal(reference.Initial[key].Shape, tensor.Shape);
            Assert.Equal(reference.Initial[key].DType, tensor.DType);
        }
    }

    [Fact]
    public void EvalLogitsMatchPyTorch()
    {
        using var scope = DisposeScope.Enter();
        using var net = Load();
        net.Eval();
        using (Engine.NoGrad())
            AssertAllClose([Compare("eval_logits", net.Forward(reference.Batch["images"]))], "eval forward");
    }

    [Fact]
    public void TwoSgdStepsMatchPyTorch()
    {
        using var scope = DisposeScope.Enter();
        using var net = Load();
        Tensor images = reference.Batch["images"], labels = reference.Batch["labels"];
        using var sgd = new Sgd(net.Parameters(), learningRate: 0.1, momentum: 0.9, weightDecay: 5e-4);

        var failures = new List<string?>();
        net.Train();
        Tensor logits = net.Forward(images);
        Tensor loss = Functional.CrossEntropy(logits, labels);
        loss.Backward();
        failures.Add(Compare("train_logits", logits));
        failures.Add(Compare("loss", loss));
        foreach (var (name, parameter) in net.NamedParameters())
            failures.Add(parameter.Grad is { } grad ? Compare($"grad.{name}", grad) : $"grad.{name}: no gradient here");
        sgd.Step();
        failures.AddRange(CompareState(net, "step1"));

        // The second step applies momentum to a non-empty buffer, and runs on updated running statistics.
        sgd.ZeroGrad();
        Tensor loss2 = Functional.CrossEntropy(net.Forward(images), labels);
        loss2.Backward();
        sgd.Step();
        failures.Add(Compare("loss2", loss2));
        failures.AddRange(CompareState(net, "step2"));

        net.Eval();
        using (Engine.NoGrad()) failures.Add(Compare("eval_logits_after", net.Forward(images)));
        AssertAllClose(failures, "training");
    }

    private SmallNet Load()
    {
        var net = new SmallNet();
        net.LoadStateDict(reference.Initial);
        return net;
    }

    private IEnumerable<string?> CompareState(SmallNet net, string prefix) =>
        net.StateDict().Select(kv => kv.Value.DType == ScalarType.Int64
            ? kv.Value.ItemLong() == reference.Expected[$"{prefix}.{kv.Key}"].ItemLong()
                ? null
                : $"{prefix}.{kv.Key}: {kv.Value.ItemLong()} here, {reference.Expected[$"{prefix}.{kv.Key}"].ItemLong()} in PyTorch"
            : Compare($"{prefix}.{kv.Key}", kv.Value));

    /// <summary>Null when <paramref name="ours"/> is allclose to PyTorch's tensor, else the worst element.</summary>
    private string? Compare(string key, Tensor ours)
    {
        Tensor theirs = reference.Expected[key];
        if (!ours.Shape.SequenceEqual(theirs.Shape))
            return $"{key}: shape [{string.Join(", ", ours.Shape)}] here, [{string.Join(", ", theirs.Shape)}] in PyTorch";
        float[] a = ours.Detach().ToArray<float>(), b = theirs.ToArray<float>();
        int worst = -1;
        double worstFraction = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double diff = Math.Abs((double)a[i] - b[i]);
            double fraction = double.IsNaN(diff) ? double.PositiveInfinity : diff / (Atol + Rtol * Math.Abs((double)b[i]));
            if (fraction > worstFraction) (worst, worstFraction) = (i, fraction);
        }
        if (worstFraction >= _worst.Fraction) _worst = (key, worstFraction);
        return worstFraction <= 1 ? null
            : $"{key}: element {worst} is {a[worst]:g9} here, {b[worst]:g9} in PyTorch (atol {Atol:g2}, rtol {Rtol:g2})";
    }

    private void AssertAllClose(IEnumerable<string?> results, string what)
    {
        var failures = results.OfType<string>().ToList();
        output.WriteLine($"{what}: worst |diff| / tolerance {_worst.Fraction:g3} ({_worst.Key})");
        if (failures.Count > 0) Assert.Fail($"{what}: {failures.Count} tensors differ from PyTorch's\n{string.Join("\n", failures)}");
    }
}
