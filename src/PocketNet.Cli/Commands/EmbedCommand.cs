using System.Globalization;
using System.Text;
using PocketNet.Application.Models;
using PocketNet.Data.Imaging;
using PocketNet.Torch;

namespace PocketNet.Cli.Commands;

/// <summary>
/// `pocketnet embed --model M --weights W --images DIR --out E.csv`: one CSV row per image (file name,
/// then the embedding), eval mode, no flip. Images must be aligned 112x112 crops (JPEG or PNG).
/// </summary>
public sealed class EmbedCommand : ICommand
{
    private static readonly string[] Extensions = [".jpg", ".jpeg", ".png"];

    public string Name => "embed";

    public string Summary => "embeddings of aligned 112x112 images as CSV (--model M --weights W --images DIR --out E.csv)";

    public string Usage =>
        """
        pocketnet embed --model NAME|DIR [--weights W] [--embedding E] --images DIR --out E.csv [--batch 64] [--device auto]
          --model              a registry name (with --weights) or a model folder (weights.safetensors + config.json)
          --images             a folder of aligned 112x112 face images (JPEG or PNG)
          --out                the CSV to write: file name, then the embedding (eval mode, no flip)
          --batch              images per forward pass (default 64)
          --device             auto (first GPU, else CPU), cpu, cuda or cuda:N (default auto)
        """;

    public int Run(string[] args, TextWriter output)
    {
        var a = new Arguments(Name, args);
        string model = a.Required("model", "a registry name or a model folder");
        string? weights = a.Optional("weights");
        int? embedding = a.OptionalInt("embedding");
        string images = a.Required("images", "a folder of aligned 112x112 face images");
        string csv = a.Required("out", "the CSV file to write");
        int batch = a.Int("batch", 64, 1, 4096);
        Device device = Device.Parse(a.Optional("device") ?? "auto");
        a.EnsureAllUsed();

        if (!Directory.Exists(images)) throw new DirectoryNotFoundException($"embed: image folder {images} does not exist");
        string[] files = Directory.EnumerateFiles(images)
            .Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0) throw new ArgumentException($"embed: {images} holds no .jpg, .jpeg or .png files");

        using LoadedModel loaded = ModelLoader.Load(model, weights, device, embedding);
        using var writer = new StreamWriter(csv, append: false, new UTF8Encoding(false));
        var buffer = new float[batch * 3 * 112 * 112];
        for (int start = 0; start < files.Length; start += batch)
        {
            int count = Math.Min(batch, files.Length - start);
            Parallel.For(0, count, i => Decode(files[start + i], buffer.AsSpan(i * 3 * 112 * 112, 3 * 112 * 112)));
            float[] embeddings;
            using (DisposeScope.Enter())
            using (Engine.NoGrad())
            {
                Tensor input = Tensors.FromSpan<float>(buffer.AsSpan(0, count * 3 * 112 * 112), [count, 3, 112, 112], device);
                embeddings = loaded.Network.Forward(input).ToArray<float>();
            }
            int dim = embeddings.Length / count;
            for (int i = 0; i < count; i++)
            {
                writer.Write(CsvField(Path.GetFileName(files[start + i])));
                for (int k = 0; k < dim; k++) writer.Write("," + embeddings[i * dim + k].ToString("R", CultureInfo.InvariantCulture));
                writer.WriteLine();
            }
        }
        output.WriteLine($"wrote {files.Length} embeddings of {loaded.Config.EmbeddingSize} values to {csv}");
        return 0;
    }

    private static void Decode(string file, Span<float> destination)
    {
        Image image = ImageDecoder.Decode(File.ReadAllBytes(file), file, expandToRgb: true);
        if (image.Width != 112 || image.Height != 112)
            throw new InvalidDataException($"{file}: the image is {image.Width}x{image.Height}; embed takes aligned 112x112 crops");
        image.WriteModelInput(destination);
    }

    private static string CsvField(string text) =>
        text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + text.Replace("\"", "\"\"") + "\"" : text;
}
