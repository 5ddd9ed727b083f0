using PocketNet.Data.Synth;

namespace PocketNet.Cli.Commands;

/// <summary>
/// `pocketnet synth --out DIR --identities N --images-per-identity K --seed S`: SynthFaces, synthetic aligned faces
/// written in the real formats (RecordIO training set, .bin pair sets, IJB layout, MegaFace lists). Same seed, same bytes.
/// </summary>
public sealed class SynthCommand : ICommand
{
    public string Name => "synth";

    public string Summary => "generate SynthFaces demo data in the real formats (--out DIR --identities N --images-per-identity K --seed S)";

    public string Usage =>
        """
        pocketnet synth --out DIR [--identities 100] [--images-per-identity 10] [--pairs 600] [--seed 1]
          SynthFaces: synthetic faces written in the real formats (RecordIO, .bin pair sets, IJB, MegaFace), labelled synthetic
        """;

    public int Run(string[] args, TextWriter output)
    {
        var a = new Arguments(Name, args);
        var defaults = new SynthOptions { OutputFolder = "" };
        var options = new SynthOptions
        {
            OutputFolder = Path.GetFullPath(a.Required("out", "the folder to write")),
            Identities = a.Int("identities", defaults.Identities, 2, 1_000_000),
            ImagesPerIdentity = a.Int("images-per-identity", defaults.ImagesPerIdentity, 1, 10_000),
            Seed = a.Int("seed", defaults.Seed),
            PairCount = a.Int("pairs", defaults.PairCount, 20),
        };
        a.EnsureAllUsed();
        SynthResult result = SynthFaces.Generate(options, new SynchronousProgress(output));
        output.WriteLine($"wrote synthetic data (SynthFaces, seed {result.Seed}) to {result.OutputFolder}: " +
                         $"{result.TrainImages:N0} training images of {result.TrainIdentities:N0} identities, " +
                         $"pair sets {string.Join(", ", result.PairSets.Keys)} of {result.PairsPerSet} pairs each, IJB and MegaFace stand-ins");
        return 0;
    }

    /// <summary>Reports on the generating thread, so the percentage lines come out in order.</summary>
    private sealed class SynchronousProgress(TextWriter output) : IProgress<double>
    {
        private int _lastPercent = -1;

        public void Report(double value)
        {
            int percent = (int)(value * 100);
            if (percent / 10 == _lastPercent / 10) return;
            _lastPercent = percent;
            output.WriteLine($"SynthFaces: {percent}%");
        }
    }
}
