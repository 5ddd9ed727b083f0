namespace PocketNet.Torch.Tests.Gradients;

/// <summary>
/// Compares autograd's gradients with central finite differences, in float64, for a scalar-valued
/// function of several inputs. Every element of every input is perturbed.
/// </summary>
internal static class GradientCheck
{
    public static void Assert(Func<Tensor[], Tensor> function, Tensor[] inputs, double step = 1e-6, double tolerance = 1e-6)
    {
        using var scope = DisposeScope.Enter();
        foreach (Tensor input in inputs)
            Xunit.Assert.Equal(ScalarType.Float64, input.DType);
        foreach (Tensor input in inputs) input.RequiresGrad = true;

        function(inputs).Backward();
        double[][] analytic = inputs.Select(t => t.Grad!.ToArray<double>()).ToArray();

        using var noGrad = Engine.NoGrad();
        for (int i = 0; i < inputs.Length; i++)
        {
            Tensor flat = inputs[i].View(-1); // writes through to the input
            for (long e = 0; e < flat.NumEl; e++)
            {
                Tensor element = flat.Narrow(0, e, 1);
                double original = element.Item();
                element.Fill(original + step);
                double plus = function(inputs).Item();
                element.Fill(original - step);
                double minus = function(inputs).Item();
                element.Fill(original);
                double numeric = (plus - minus) / (2 * step);
                double error = Math.Abs(numeric - analytic[i][e]);
                if (error > tolerance * (1 + Math.Abs(numeric)))
                    Xunit.Assert.Fail($"input {i} element {e}: autograd {analytic[i][e]:G10}, finite difference {numeric:G10}");
            }
        }
    }

    /// <summary>A fixed random projection so that a tensor-valued function becomes a scalar with a rich gradient.</summary>
    public static Tensor Project(Tensor output, int seed)
    {
        var random = new Random(seed);
        var weights = new double[output.NumEl];
        for (int i = 0; i < weights.Length; i++) weights[i] = random.NextDouble() * 2 - 1;
        return (output * Tensors.FromSpan<double>(weights, output.Shape)).Sum();
    }
}
