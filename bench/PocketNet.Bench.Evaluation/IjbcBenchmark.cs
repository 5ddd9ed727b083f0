using System.Diagnostics;
using System.Globalization;
using PocketNet.Bench.Support;
using PocketNet.Evaluation.Templates;

namespace PocketNet.Bench.Evaluation;

/// <summary>
/// IJB-C 1:1 at full size on synthetic features: 23,124 templates of 512 values, 15,658,489 pairs of which
/// 19,557 genuine (the real protocol's counts), pairs grouped by their first template as in the real list.
/// Times <see cref="IjbProtocol.Score"/> and <see cref="IjbProtocol.Evaluate"/> (ROC + TAR table) and, with
/// --images N, <see cref="TemplatePooling.Pool"/> of N image features (469,375 in IJB-C).
/// </summary>
internal static class IjbcBenchmark
{
    public const string Usage = """
        ijbc [--templates 23124] [--pairs 15658489] [--genuine 19557] [--dim 512] [--subjects 3531]
             [--enrolled 3500] [--images 469375 (0 = skip pooling)] [--repeat 3] [--seed 1]
        """;

    public static int Run(Options options)
    {
        int templates = options.Int("templates", 23_124);
        int pairs = options.Int("pairs", 15_658_489);
        int genuine = options.Int("genuine", 19_557);
        int dim = options.Int("dim", 512);
        int subjects = options.Int("subjects", 3_531);
        int enrolled = options.Int("enrolled", 3_500);
        int images = options.Int("images", 469_375);
        int repeat = options.Int("repeat", 3);
        int seed = options.Int("seed", 1);
        options.RejectUnknown();

        Console.WriteLine($"ijbc: {templates:N0} templates x {dim}, {pairs:N0} pairs ({genuine:N0} genuine), {images:N0} images for pooling");
        Console.WriteLine($"machine: {MachineInfo.Collect().Describe()}");
        Console.WriteLine($"load average before: {MachineInfo.ReadLoadAverage()}");

        // Synthetic templates: subject centre + noise, so genuine pairs score higher than impostors.
        var watch = Stopwatch.StartNew();
        var ids = Enumerable.Range(0, templates).Select(t => 7 * t + 1).ToArray();
        var subjectOf = Enumerable.Range(0, templates).Select(t => t % subjects).ToArray();
        var centres = new float[subjects * dim];
        new Gaussian(seed).Fill(centres);
        var features = new float[(long)templates * dim];
        // Noise scale varies per template (0.5 .. 2.5 x the centre's), so genuine cosines spread from about 0.8
        // down towards the impostor range and the TAR table is not trivially 100%.
        Parallel.For(0, templates, t =>
        {
            var noise = new Gaussian(seed * 1_000_003 + t);
            float sigma = 0.5f + 2.0f * (float)((t * 2654435761u) % 1000) / 1000;
            for (int k = 0; k < dim; k++) features[t * dim + k] = centres[subjectOf[t] * dim + k] + sigma * noise.Next();
        });
        var templateFeatures = new TemplateFeatures(ids, features, dim);

        var t1 = new int[pairs];
        var t2 = new int[pairs];
        var labels = new bool[pairs];
        var random = new Gaussian(seed + 17);
        int step = Math.Max(1, pairs / Math.Max(1, genuine));
        int madeGenuine = 0;
        for (int i = 0; i < pairs; i++)
        {
            int a = (int)((long)i * enrolled / pairs);
            int b;
            if (i % step == 0 && madeGenuine < genuine)
            {
                // Another template of the same subject: subjects' templates are s, s + subjects, s + 2 subjects, ...
                int count = (templates - subjectOf[a] + subjects - 1) / subjects;
                do b = subjectOf[a] + subjects * random.NextInt(count); while (b == a && count > 1);
                labels[i] = true;
                madeGenuine++;
            }
            else
            {
                do b = random.NextInt(templates); while (subjectOf[b] == subjectOf[a]);
            }
            t1[i] = ids[a];
            t2[i] = ids[b];
        }
        double inputs = Memory.CurrentMiB();
        Console.WriteLine($"generated in {watch.Elapsed.TotalSeconds:0.0} s; RSS with the inputs {inputs:0} MiB");

        // Each run starts from a collected heap with the peak reset, so the peak is one evaluation's (inputs included).
        var rows = new List<(double Score, double Roc)>();
        double baseline = 0, peak = 0;
        bool resettable = true;
        IjbResult? result = null;
        for (int r = 0; r < repeat; r++)
        {
            resettable &= Memory.ResetPeak();
            baseline = Memory.CurrentMiB();
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            watch.Restart();
            float[] scores = IjbProtocol.Score(templateFeatures, t1, t2);
            double scoreSeconds = watch.Elapsed.TotalSeconds;
            watch.Restart();
            result = IjbProtocol.Evaluate("IJB-C (synthetic)", scores, labels);
            double rocSeconds = watch.Elapsed.TotalSeconds;
            double cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
            double runPeak = Memory.PeakMiB();
            peak = Math.Max(peak, runPeak);
            rows.Add((scoreSeconds, rocSeconds));
            Console.WriteLine($"  run {r + 1}: score {scoreSeconds:0.00} s, ROC + TAR {rocSeconds:0.00} s, total {scoreSeconds + rocSeconds:0.00} s ({cpuSeconds:0.0} s CPU); " +
                              $"peak RSS {runPeak:0} MiB (RSS at start {baseline:0} MiB); load {MachineInfo.ReadLoadAverage()}");
        }
        Console.WriteLine($"scoring + ROC peak RSS {peak:0} MiB; the inputs alone {inputs:0} MiB{(resettable ? "" : " (peak not resettable, includes generation)")}");
        Console.WriteLine($"ROC points {result!.RocPoints:N0} (plotted {result.Roc.Count}), AUC {result.Auc:0.00000}");
        Console.WriteLine("TAR@FAR: " + string.Join(", ", result.TarAtFar.Select(p => $"{p.TargetFar:0e0} {100 * p.Tar:0.00}%")));

        var median = (Score: Median(rows.Select(r => r.Score)), Roc: Median(rows.Select(r => r.Roc)));
        var markdown = new List<string>
        {
            $"| ijbc score ({pairs:N0} pairs, {dim}-d) | {median.Score:0.00} s | median of {repeat} |",
            $"| ijbc ROC + TAR table | {median.Roc:0.00} s | median of {repeat} |",
            $"| ijbc score + ROC total | {median.Score + median.Roc:0.00} s | goal < 30 s |",
            $"| ijbc peak RSS (score + ROC) | {peak:0} MiB | process total; synthetic inputs alone {inputs:0} MiB |",
        };

        if (images > 0)
        {
            // Image features: image i belongs to template i mod T; media (i / T) mod 4, so media hold several images.
            var imageFeatures = new float[(long)images * dim];
            var tid = new int[images];
            var mid = new int[images];
            var det = new float[images];
            Parallel.For(0, images, i =>
            {
                var g = new Gaussian(seed * 7919 + i);
                int t = i % templates;
                tid[i] = ids[t];
                mid[i] = 10 * t + (i / templates) % 4;
                det[i] = 0.5f + 0.5f * (float)((i * 2654435761u) % 1000) / 1000;
                for (int k = 0; k < dim; k++) imageFeatures[(long)i * dim + k] = centres[subjectOf[t] * dim + k] + g.Next();
            });
            resettable = Memory.ResetPeak();
            baseline = Memory.CurrentMiB();
            watch.Restart();
            var pooled = TemplatePooling.Pool(imageFeatures, dim, tid, mid, det);
            double poolSeconds = watch.Elapsed.TotalSeconds;
            double poolPeak = Memory.PeakMiB();
            Console.WriteLine($"pooling {images:N0} images into {pooled.Count:N0} templates: {poolSeconds:0.00} s, peak RSS {poolPeak:0} MiB (inputs {baseline:0} MiB)");
            markdown.Add($"| ijbc pooling ({images:N0} images -> {pooled.Count:N0} templates) | {poolSeconds:0.00} s | peak RSS {poolPeak:0} MiB, RSS before {baseline:0} MiB (image features 960 MB at 512-d) |");
        }

        Console.WriteLine($"load average after: {MachineInfo.ReadLoadAverage()}");
        Console.WriteLine();
        Console.WriteLine("markdown rows:");
        foreach (string line in markdown) Console.WriteLine(line);
        return 0;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
