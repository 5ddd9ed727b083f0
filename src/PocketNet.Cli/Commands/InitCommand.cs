using PocketNet.Models.Registry;
using PocketNet.Torch;
using PocketNet.Torch.NN;
using PocketNet.Training.Runs;

namespace PocketNet.Cli.Commands;

/// <summary>`pocketnet init --model M --seed S --out W.safetensors`: freshly initialised weights under the reference's state_dict names.</summary>
public sealed class InitCommand : ICommand
{
    public string Name => "init";

    public string Summary => "write initialised weights of a network (--model M --seed S --out W.safetensors)";

    public string Usage =>
        """
        pocketnet init --model NAME | --genotype G [--channels C --cells N] [--embedding E] --out W.safetensors [--seed 0]
          writes the network's initial weights under the reference's state_dict names
        """;

    public int Run(string[] args, TextWriter output)
    {
        var arguments = new Arguments(Name, args);
        ModelConfig config = ModelOptions.Read(arguments);
        int seed = arguments.Int("seed", 0, 0);
        string path = arguments.Required("out", "the .safetensors file to write");
        arguments.EnsureAllUsed();

        Engine.ManualSeed((ulong)seed);
        using Module<Tensor, Tensor> network = ModelRegistry.Create(config);
        WeightFiles.SaveModule(network, path, new Dictionary<string, string>
        {
            ["model"] = config.DisplayName,
            ["seed"] = seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        output.WriteLine($"wrote {path}: {config.DisplayName}, {network.ParameterCount():N0} parameters, {network.StateDict().Count} tensors, seed {seed}");
        return 0;
    }
}
