using System.Text.Json;

namespace PocketNet.Torch.Tests.Optim;

/// <summary>SGD and Adam trajectories against torch.optim on identical float64 starting points.</summary>
public sealed class OptimizerReferenceTests(OptimReferenceFixture reference) : IClassFixture<OptimReferenceFixture>
{
    private const double RelativeTolerance = 1e-6;

    [Theory]
    [MemberData(nameof(OptimReferenceFixture.Names), MemberType = typeof(OptimReferenceFixture))]
    public void MatchesPyTorch(string name)
    {
        ReferenceCase testCase = OptimReferenceFixture.Case(name);
        EngineResult engine = testCase.RunEngine();
        JsonElement expected = reference.Result(name);

        double[][] expectedParams = expected.GetProperty("params").EnumerateArray().Select(ToDoubles).ToArray();
        Assert.Equal(expectedParams.Length, engine.Params.Length);
        for (int i = 0; i < expectedParams.Length; i++) AssertClose(expectedParams[i], engine.Params[i], $"{name}: parameter {i}");

        // The buffers must match too, under PyTorch's names: that is what makes a checkpoint portable.
        var expectedTensors = new Dictionary<string, double[]>();
        foreach (JsonProperty entry in expected.GetProperty("state").EnumerateObject())
            foreach (JsonProperty buffer in entry.Value.EnumerateObject())
            {
                if (buffer.Name == "step")
                    Assert.Equal(buffer.Value.GetInt64(), engine.Steps[entry.Name]);
                else
                    expectedTensors[$"state.{entry.Name}.{buffer.Name}"] = ToDoubles(buffer.Value);
            }
        Assert.Equal(expectedTensors.Keys.Order(), engine.StateTensors.Keys.Order());
        foreach (var (key, values) in expectedTensors) AssertClose(values, engine.StateTensors[key], $"{name}: {key}");
    }

    [Fact]
    public void ParametersWithoutGradientsAreLeftAlone()
    {
        // The third parameter is outside the least-squares loss: PyTorch and the engine both skip it.
        EngineResult engine = OptimReferenceFixture.Case("sgd_momentum_weight_decay").RunEngine();
        Assert.Equal(LeastSquares.InitialParams()[2].Data, engine.Params[2]);
        Assert.False(engine.Steps.ContainsKey("2"));
    }

    private static double[] ToDoubles(JsonElement array) => array.EnumerateArray().Select(v => v.GetDouble()).ToArray();

    private static void AssertClose(double[] expected, double[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double tolerance = RelativeTolerance * Math.Abs(expected[i]) + 1e-12;
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance,
                $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R} (difference {Math.Abs(expected[i] - actual[i]):E3})");
        }
    }
}
