using System.Buffers;
using System.Numerics.Tensors;
using PocketNet.Evaluation;

namespace PocketNet.Onnx.Runtime;

/// <summary>
/// An ONNX face model run by ONNX Runtime for the evaluation protocols: one float input [N, 3, 112, 112]
/// (N symbolic, or fixed: batches are then run in chunks of N, the last one padded) and one output [N, E].
/// Flip augmentation mirrors the batch on the managed side and runs it a second time, summing the embeddings,
/// exactly as the libtorch path does.
/// </summary>
public sealed class OnnxEmbeddingModel : IEmbeddingModel, IDisposable
{
    public const int ImageSize = 112;

    private readonly bool _ownsSession;
    private readonly int _fixedBatch;

    /// <summary>Wraps an open session after checking its interface (see <see cref="Validate"/>).</summary>
    public OnnxEmbeddingModel(OnnxSession session, bool ownsSession = false)
    {
        ArgumentNullException.ThrowIfNull(session);
        Validate(session);
        (Session, _ownsSession) = (session, ownsSession);
        Dimension = checked((int)session.OutputShape[1]);
        _fixedBatch = session.InputShape[0] > 0 ? (int)session.InputShape[0] : 0;
    }

    public OnnxSession Session { get; }

    public int Dimension { get; }

    /// <summary>Opens a model file as an embedding model (the session is disposed with it).</summary>
    public static OnnxEmbeddingModel Open(string path, OnnxSessionOptions? options = null)
    {
        OnnxSession session = OnnxSession.Open(path, options);
        try
        {
            return new OnnxEmbeddingModel(session, ownsSession: true);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Throws <see cref="InvalidDataException"/> saying what is wrong unless the session maps [N, 3, 112, 112] to [N, E].</summary>
    public static void Validate(OnnxSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        IReadOnlyList<long> input = session.InputShape, output = session.OutputShape;
        bool inputOk = input.Count == 4 && input[1] == 3 && input[2] == ImageSize && input[3] == ImageSize && input[0] != 0;
        if (!inputOk)
            throw new InvalidDataException(
                $"{session.Source} is not a face embedding model this portal can evaluate: its input '{session.InputName}' has shape " +
                $"{Describe(input)}, but an input of [N, 3, {ImageSize}, {ImageSize}] (RGB, normalised to [-1, 1]) is needed");
        bool outputOk = output.Count == 2 && output[1] > 0 && (output[0] < 0 || output[0] == input[0]);
        if (!outputOk)
            throw new InvalidDataException(
                $"{session.Source} is not a face embedding model this portal can evaluate: its output '{session.OutputName}' has shape " +
                $"{Describe(output)}, but an embedding output of [N, E] is needed");
    }

    public void EmbedBatch(ReadOnlySpan<float> images, int count, int imageSize, bool flip, Span<float> destination)
    {
        if (imageSize != ImageSize)
            throw new ArgumentException($"{Session.Source} takes {ImageSize}x{ImageSize} images, not {imageSize}x{imageSize}", nameof(imageSize));
        int pixels = 3 * imageSize * imageSize;
        if (images.Length < count * pixels) throw new ArgumentException($"{count} images need {count * pixels} floats, {images.Length} given", nameof(images));
        Span<float> target = destination[..(count * Dimension)];
        Embed(images[..(count * pixels)], count, target, accumulate: false);
        if (!flip) return;
        float[] mirrored = ArrayPool<float>.Shared.Rent(count * pixels);
        try
        {
            MirrorHorizontally(images[..(count * pixels)], mirrored.AsSpan(0, count * pixels), imageSize);
            Embed(mirrored.AsSpan(0, count * pixels), count, target, accumulate: true);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(mirrored);
        }
    }

    public void Dispose()
    {
        if (_ownsSession) Session.Dispose();
    }

    /// <summary>Reverses every row of every channel (the W axis of NCHW), as torch.flip(x, [3]) does.</summary>
    public static void MirrorHorizontally(ReadOnlySpan<float> source, Span<float> destination, int width)
    {
        for (int row = 0; row < source.Length; row += width)
        {
            source.Slice(row, width).CopyTo(destination.Slice(row, width));
            destination.Slice(row, width).Reverse();
        }
    }

    // A dynamic-batch model runs the caller's images as they are and writes into the destination; a fixed-batch
    // model's chunks are copied into a zero-padded buffer (the padding's outputs dropped). With flip the mirrored
    // batch's embeddings land in a scratch buffer and are added.
    private void Embed(ReadOnlySpan<float> images, int count, Span<float> destination, bool accumulate)
    {
        int pixels = 3 * ImageSize * ImageSize;
        int step = _fixedBatch > 0 ? _fixedBatch : count;
        float[]? padded = null, scratch = null;
        try
        {
            for (int start = 0; start < count; start += step)
            {
                int n = Math.Min(step, count - start), runBatch = _fixedBatch > 0 ? _fixedBatch : n;
                ReadOnlySpan<float> input = images.Slice(start * pixels, n * pixels);
                if (runBatch != n)
                {
                    padded ??= ArrayPool<float>.Shared.Rent(runBatch * pixels);
                    input.CopyTo(padded);
                    padded.AsSpan(n * pixels, (runBatch - n) * pixels).Clear();
                    input = padded.AsSpan(0, runBatch * pixels);
                }
                Span<float> target = destination.Slice(start * Dimension, n * Dimension);
                if (!accumulate && runBatch == n)
                {
                    Session.Run(input, runBatch, target);
                    continue;
                }
                scratch ??= ArrayPool<float>.Shared.Rent(runBatch * Dimension);
                Span<float> output = scratch.AsSpan(0, runBatch * Dimension);
                Session.Run(input, runBatch, output);
                if (accumulate) TensorPrimitives.Add(target, output[..target.Length], target);
                else output[..target.Length].CopyTo(target);
            }
        }
        finally
        {
            if (padded is not null) ArrayPool<float>.Shared.Return(padded);
            if (scratch is not null) ArrayPool<float>.Shared.Return(scratch);
        }
    }

    private static string Describe(IReadOnlyList<long> shape) =>
        "[" + string.Join(", ", shape.Select(d => d < 0 ? "N" : d.ToString(System.Globalization.CultureInfo.InvariantCulture))) + "]";
}
