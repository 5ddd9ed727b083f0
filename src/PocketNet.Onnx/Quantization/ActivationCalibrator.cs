using System.Numerics.Tensors;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using PocketNet.Onnx.Runtime;
using Ort = Microsoft.ML.OnnxRuntime;
using OnnxProto = global::Onnx;

namespace PocketNet.Onnx.Quantization;

/// <summary>
/// Min/max calibration: runs the float model in ONNX Runtime on the calibration images with every tensor to
/// quantise added as a graph output, and keeps each tensor's smallest and largest value over all images.
/// Min/max rather than a percentile or entropy method: it is what ONNX Runtime's own quantiser defaults to, it needs
/// no histograms, and it clips nothing that the images showed. On these networks the batch norms are folded into
/// the convolutions, so their outputs have no rare huge outliers for a percentile to cut, and with a few hundred
/// images a percentile's tail estimate would rest on a handful of values anyway.
/// </summary>
internal static class ActivationCalibrator
{
    /// <summary>
    /// Images per run: every intermediate tensor of a batch is returned at once (about 70 MB per 112x112 image for
    /// PocketNetS-128), so batches stay small.
    /// </summary>
    public const int Batch = 4;

    public static Dictionary<string, (float Min, float Max)> Calibrate(OnnxProto.ModelProto model, IReadOnlyCollection<string> tensors,
        IEnumerable<float[]> images, string source, out int imageCount)
    {
        OnnxProto.GraphProto graph = model.Graph;
        var initializers = graph.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        OnnxProto.ValueInfoProto input = graph.Input.Single(i => !initializers.Contains(i.Name));
        long[] sampleShape = (input.Type?.TensorType?.Shape?.Dim ?? []).Skip(1).Select(d => d.HasDimValue ? d.DimValue : -1L).ToArray();
        if (sampleShape.Length == 0 || sampleShape.Any(d => d <= 0))
            throw new InvalidDataException($"{source}: its input '{input.Name}' needs fixed dimensions after the batch to be calibrated");
        int sampleSize = checked((int)sampleShape.Aggregate(1L, (a, b) => a * b));

        // The graph input's range comes from the images themselves; every other tensor becomes an output.
        string[] outputs = tensors.Where(t => t != input.Name).ToArray();
        var ranges = tensors.ToDictionary(t => t, _ => (Min: float.PositiveInfinity, Max: float.NegativeInfinity), StringComparer.Ordinal);
        OnnxProto.ModelProto probe = model.Clone();
        var existing = probe.Graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (string name in outputs.Where(o => !existing.Contains(o)))
            probe.Graph.Output.Add(new OnnxProto.ValueInfoProto
            {
                Name = name,
                Type = new OnnxProto.TypeProto { TensorType = new OnnxProto.TypeProto.Types.Tensor { ElemType = (int)OnnxProto.TensorProto.Types.DataType.Float } },
            });

        OnnxRuntime.EnsureEnvironment();
        using var options = new SessionOptions { GraphOptimizationLevel = Ort.GraphOptimizationLevel.ORT_ENABLE_BASIC, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        using var session = Open(probe.ToByteArray(), options, source);
        using var runOptions = new RunOptions();
        bool fixedBatch = input.Type!.TensorType!.Shape!.Dim[0].HasDimValue;
        int batch = fixedBatch ? (int)input.Type.TensorType.Shape.Dim[0].DimValue : Batch;

        imageCount = 0;
        var buffer = new float[batch * sampleSize];
        int filled = 0;
        foreach (float[] image in images)
        {
            if (image.Length != sampleSize)
                throw new ArgumentException($"a calibration image holds {image.Length} floats, but {source} takes [{string.Join(", ", sampleShape)}] ({sampleSize})");
            image.CopyTo(buffer, filled * sampleSize);
            imageCount++;
            if (++filled == batch)
            {
                Run(session, runOptions, input.Name, buffer, batch, sampleShape, outputs, ranges, source);
                filled = 0;
            }
        }
        if (filled > 0)
        {
            // A fixed-batch model runs the last partial batch padded with copies of its first image (no new values).
            if (fixedBatch)
                for (int i = filled; i < batch; i++) buffer.AsSpan(0, sampleSize).CopyTo(buffer.AsSpan(i * sampleSize));
            int count = fixedBatch ? batch : filled;
            Run(session, runOptions, input.Name, buffer.AsSpan(0, count * sampleSize).ToArray(), count, sampleShape, outputs, ranges, source);
        }
        if (imageCount == 0) throw new ArgumentException($"no calibration images were given for {source}");
        return ranges;
    }

    private static InferenceSession Open(byte[] model, SessionOptions options, string source)
    {
        try
        {
            return new InferenceSession(model, options);
        }
        catch (Ort.OnnxRuntimeException e)
        {
            throw new PocketNet.Onnx.Runtime.OnnxRuntimeException($"ONNX Runtime could not load {source} for calibration: {e.Message}", e);
        }
    }

    private static void Run(InferenceSession session, RunOptions runOptions, string inputName, float[] images, int batch, long[] sampleShape,
        string[] outputs, Dictionary<string, (float Min, float Max)> ranges, string source)
    {
        if (ranges.TryGetValue(inputName, out var own))
            ranges[inputName] = (Math.Min(own.Min, TensorPrimitives.Min(images)), Math.Max(own.Max, TensorPrimitives.Max(images)));
        if (outputs.Length == 0) return;
        long[] shape = [batch, .. sampleShape];
        using OrtValue value = OrtValue.CreateTensorValueFromMemory(images, shape);
        IDisposableReadOnlyCollection<OrtValue> results;
        try
        {
            results = session.Run(runOptions, [inputName], [value], outputs);
        }
        catch (Ort.OnnxRuntimeException e)
        {
            throw new PocketNet.Onnx.Runtime.OnnxRuntimeException($"calibrating {source}: {e.Message}", e);
        }
        using (results)
        {
            for (int i = 0; i < outputs.Length; i++)
            {
                OrtValue result = results[i];
                if (result.GetTensorTypeAndShape().ElementDataType != TensorElementType.Float)
                    throw new InvalidDataException($"{source}: tensor '{outputs[i]}' is not float and cannot be quantised as an activation");
                ReadOnlySpan<float> data = result.GetTensorDataAsSpan<float>();
                if (data.IsEmpty) continue;
                float min = TensorPrimitives.Min(data), max = TensorPrimitives.Max(data);
                if (!float.IsFinite(min) || !float.IsFinite(max))
                    throw new InvalidDataException($"{source}: tensor '{outputs[i]}' holds NaN or infinity on the calibration images");
                var (low, high) = ranges[outputs[i]];
                ranges[outputs[i]] = (Math.Min(low, min), Math.Max(high, max));
            }
        }
    }
}
