using System.Text.Json;
using PocketNet.Application.Models;
using PocketNet.Training.Progress;

namespace PocketNet.Cli.Commands;

/// <summary>`pocketnet models [--json]`: every registry network with its parameters, MFLOPs and MMACs (112x112).</summary>
public sealed class ModelsCommand : ICommand
{
    public string Name => "models";

    public string Summary => "list the networks: name, parameters, MFLOPs and MMACs of a 112x112 image (--json for machines)";

    public string Usage =>
        """
        pocketnet models [--json]
          --json               machine-readable output
        """;

    public int Run(string[] args, TextWriter output)
    {
        var arguments = new Arguments(Name, args);
        bool json = arguments.Flag("json");
        arguments.EnsureAllUsed();

        var models = ModelCatalog.All();
        if (json)
        {
            var rows = models.Select(m => new
            {
                m.Name, m.Description, m.Parameters, MegaFlops = Math.Round(m.MegaFlops, 2), MegaMacs = Math.Round(m.MegaMacs, 2), m.Config.EmbeddingSize, m.IsTeacher, m.Config,
            });
            output.WriteLine(JsonSerializer.Serialize(rows, EventLog.IndentedJsonOptions));
            return 0;
        }
        output.WriteLine($"{"name",-18} {"parameters",12} {"MFLOPs",10} {"MMACs",10} {"embedding",9}  description");
        foreach (ModelSummary m in models)
            output.WriteLine($"{m.Name,-18} {m.Parameters,12:N0} {m.MegaFlops,10:F2} {m.MegaMacs,10:F2} {m.Config.EmbeddingSize,9}  {m.Description}");
        output.WriteLine("(of one 112x112 image: FLOPs counted as the PocketNet paper counts them; MACs, multiply-accumulates of convolutions and linear layers)");
        return 0;
    }
}
