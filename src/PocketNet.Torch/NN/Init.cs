namespace PocketNet.Torch.NN;

/// <summary>Weight initialisers, as torch.nn.init (in place, without recording gradients).</summary>
public static class Init
{
    /// <summary>fan_in and fan_out of a weight: [out, in, k...] for convolutions, [out, in] for linear layers.</summary>
    public static (long FanIn, long FanOut) Fans(Tensor weight)
    {
        long[] shape = weight.Shape;
        if (shape.Length < 2) throw new ArgumentException("fan in and fan out need a weight of two or more dimensions");
        long receptive = 1;
        for (int i = 2; i < shape.Length; i++) receptive *= shape[i];
        return (shape[1] * receptive, shape[0] * receptive);
    }

    /// <summary>Gain of a nonlinearity; leaky_relu takes the negative slope <paramref name="a"/>.</summary>
    public static double Gain(string nonlinearity, double a = 0) => nonlinearity switch
    {
        "linear" or "conv2d" or "sigmoid" => 1.0,
        "tanh" => 5.0 / 3,
        "relu" => Math.Sqrt(2.0),
        "leaky_relu" => Math.Sqrt(2.0 / (1 + a * a)),
        _ => throw new ArgumentException($"unknown nonlinearity '{nonlinearity}'", nameof(nonlinearity)),
    };

    /// <summary>U(-b, b) with b = gain * sqrt(3 / fan), He et al. 2015; defaults as torch.nn.init.kaiming_uniform_.</summary>
    public static Tensor KaimingUniform(Tensor weight, double a = 0, bool fanIn = true, string nonlinearity = "leaky_relu")
    {
        var (inputs, outputs) = Fans(weight);
        double bound = Gain(nonlinearity, a) * Math.Sqrt(3.0 / (fanIn ? inputs : outputs));
        return Uniform(weight, -bound, bound);
    }

    /// <summary>N(0, std²) with std = gain / sqrt(fan).</summary>
    public static Tensor KaimingNormal(Tensor weight, double a = 0, bool fanIn = true, string nonlinearity = "leaky_relu")
    {
        var (inputs, outputs) = Fans(weight);
        return Normal(weight, 0, Gain(nonlinearity, a) / Math.Sqrt(fanIn ? inputs : outputs));
    }

    public static Tensor Uniform(Tensor tensor, double low, double high)
    {
        using var noGrad = Engine.NoGrad();
        return tensor.UniformInPlace(low, high);
    }

    public static Tensor Normal(Tensor tensor, double mean = 0, double std = 1)
    {
        using var noGrad = Engine.NoGrad();
        return tensor.NormalInPlace(mean, std);
    }

    public static Tensor Constant(Tensor tensor, double value)
    {
        using var noGrad = Engine.NoGrad();
        return tensor.Fill(value);
    }

    /// <summary>PyTorch's default for the bias of a layer whose weight is <paramref name="weight"/>: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).</summary>
    public static Tensor DefaultBias(Tensor bias, Tensor weight)
    {
        double bound = 1 / Math.Sqrt(Fans(weight).FanIn);
        return Uniform(bias, -bound, bound);
    }
}
