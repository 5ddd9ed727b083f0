using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Ort = Microsoft.ML.OnnxRuntime;

namespace PocketNet.Onnx.Runtime;

/// <summary>
/// An ONNX model loaded into ONNX Runtime (an <see cref="InferenceSession"/>), for models with one float input and
/// one float output (as the exporter writes them: "input" [batch, 3, 112, 112] to "embedding" [batch, E]). Run may be
/// called from several threads at once (ONNX Runtime's sessions are thread-safe); dispose after the last run. ONNX
/// Runtime's refusals surface as <see cref="OnnxRuntimeException"/> saying which model and which input.
/// </summary>
public sealed unsafe class OnnxSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly string[] _inputNames, _outputNames;
    private readonly bool _profiling;
    private string? _profileFile;
    private volatile bool _disposed;

    private OnnxSession(InferenceSession session, string source, OnnxSessionOptions options)
    {
        (_session, Source, ExecutionProvider, _profiling) = (session, source, options.ExecutionProvider, options.ProfileOutputPrefix is not null);
        if (session.InputNames.Count != 1 || session.OutputNames.Count != 1)
            throw new NotSupportedException($"{source} has {session.InputNames.Count} inputs and {session.OutputNames.Count} outputs; an embedding model has one of each");
        InputName = session.InputNames[0];
        OutputName = session.OutputNames[0];
        (_inputNames, _outputNames) = ([InputName], [OutputName]);
        InputShape = FloatTensorShape(session.InputMetadata[InputName], "input");
        OutputShape = FloatTensorShape(session.OutputMetadata[OutputName], "output");
        ModelMetadata metadata = session.ModelMetadata;
        ProducerName = metadata.ProducerName;
        Metadata = new Dictionary<string, string>(metadata.CustomMetadataMap, StringComparer.Ordinal);
    }

    /// <summary>The model file, or a description of where the bytes came from.</summary>
    public string Source { get; }

    public OnnxExecutionProvider ExecutionProvider { get; }

    public string InputName { get; }

    public string OutputName { get; }

    /// <summary>The input's dimensions; -1 for a symbolic one (the dynamic batch).</summary>
    public IReadOnlyList<long> InputShape { get; }

    /// <summary>The output's dimensions; -1 for a symbolic one (the dynamic batch).</summary>
    public IReadOnlyList<long> OutputShape { get; }

    /// <summary>The model's producer_name ("PocketNet Portal" for exported models).</summary>
    public string ProducerName { get; }

    /// <summary>The model's metadata_props (see Export.OnnxMetadataKeys).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Elements of one sample's output, e.g. the embedding size (the output's dimensions after the batch).</summary>
    public long OutputSize => OutputShape.Skip(1).Aggregate(1L, (a, b) => a * b);

    /// <summary>Opens a model file.</summary>
    public static OnnxSession Open(string path, OnnxSessionOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new FileNotFoundException($"no ONNX model at '{full}'", full);
        return Create(options ?? new OnnxSessionOptions(), $"'{full}'", sessionOptions => new InferenceSession(full, sessionOptions));
    }

    /// <summary>Loads a model from its serialised bytes.</summary>
    public static OnnxSession Load(ReadOnlySpan<byte> model, OnnxSessionOptions? options = null, string source = "the in-memory model")
    {
        byte[] copy = model.ToArray();
        return Create(options ?? new OnnxSessionOptions(), source, sessionOptions => new InferenceSession(copy, sessionOptions));
    }

    /// <summary>
    /// Runs a batch of <paramref name="batch"/> samples laid out contiguously (NCHW for images) and returns
    /// the outputs, sample after sample (batch x <see cref="OutputSize"/> floats).
    /// </summary>
    public float[] Run(float[] input, int batch)
    {
        ArgumentNullException.ThrowIfNull(input);
        long[] shape = BatchShape(batch);
        long needed = shape.Aggregate(1L, (a, b) => a * b);
        if (input.LongLength != needed)
            throw new ArgumentException(
                $"the input holds {input.LongLength} floats, but a batch of {batch} [{string.Join(", ", InputShape.Skip(1))}] samples for {Source} needs {needed}",
                nameof(input));
        if (OutputShape.Skip(1).Any(d => d < 0)) return Run(input, shape).Data;
        var output = new float[checked(batch * (int)OutputSize)];
        RunInto(input, shape, output);
        return output;
    }

    /// <summary>
    /// Runs a batch of <paramref name="batch"/> samples and writes the outputs straight into <paramref name="output"/>
    /// (batch x <see cref="OutputSize"/> floats): no copy of the input, and ONNX Runtime writes into the caller's memory.
    /// </summary>
    public void Run(ReadOnlySpan<float> input, int batch, Span<float> output)
    {
        long[] shape = BatchShape(batch);
        long needed = shape.Aggregate(1L, (a, b) => a * b);
        if (input.Length != needed)
            throw new ArgumentException($"the input holds {input.Length} floats, but a batch of {batch} for {Source} needs {needed}", nameof(input));
        if (OutputShape.Skip(1).Any(d => d < 0))
            throw new NotSupportedException($"{Source} has symbolic output dimensions besides the batch; call Run(input, shape)");
        if (output.Length != batch * OutputSize)
            throw new ArgumentException($"the output holds {output.Length} floats, but {batch} outputs of {Source} take {batch * OutputSize}", nameof(output));
        RunInto(input, shape, output);
    }

    /// <summary>Runs one input tensor of the given shape as is (ONNX Runtime checks it against the model).</summary>
    public (float[] Data, long[] Shape) Run(ReadOnlySpan<float> input, ReadOnlySpan<long> shape)
    {
        long count = 1;
        foreach (long d in shape) count *= d;
        if (shape.IsEmpty || count != input.Length)
            throw new ArgumentException($"a tensor of shape [{string.Join(", ", shape.ToArray())}] holds {count} floats, but {input.Length} were given", nameof(input));
        ObjectDisposedException.ThrowIf(_disposed, this);
        long[] dims = shape.ToArray();
        fixed (float* data = input)
        {
            using OrtValue value = Wrap(data, input.Length, dims);
            using IDisposableReadOnlyCollection<OrtValue> outputs = Execute(() => _session.Run(_runOptions, _inputNames, [value], _outputNames), dims);
            OrtValue output = outputs[0];
            OrtTensorTypeAndShapeInfo info = output.GetTensorTypeAndShape();
            if (info.ElementDataType != TensorElementType.Float)
                throw new NotSupportedException($"the output of {Source} holds {info.ElementDataType}, not float");
            return (output.GetTensorDataAsSpan<float>().ToArray(), info.Shape);
        }
    }

    /// <summary>
    /// Ends profiling and returns the profile's path (ONNX Runtime writes it now); null when the session was opened
    /// without <see cref="OnnxSessionOptions.ProfileOutputPrefix"/>. Later calls, and Dispose, return the same file.
    /// </summary>
    public string? EndProfiling()
    {
        if (!_profiling) return null;
        lock (_runOptions)
        {
            if (_profileFile is null)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                _profileFile = Path.GetFullPath(_session.EndProfiling());
            }
            return _profileFile;
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        EndProfiling();
        _disposed = true;
        _session.Dispose();
        _runOptions.Dispose();
    }

    public override string ToString() => $"ONNX session on {Source} ({ExecutionProvider}): {InputName} [{string.Join(", ", InputShape)}] -> {OutputName} [{string.Join(", ", OutputShape)}]";

    private long[] BatchShape(int batch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        if (InputShape.Skip(1).Any(d => d < 0))
            throw new NotSupportedException($"{Source} has symbolic input dimensions besides the batch; call Run(input, shape)");
        if (InputShape.Count > 0 && InputShape[0] >= 0 && InputShape[0] != batch)
            throw new ArgumentException($"{Source} takes a fixed batch of {InputShape[0]}, not {batch}", nameof(batch));
        return [batch, .. InputShape.Skip(1)];
    }

    private void RunInto(ReadOnlySpan<float> input, long[] shape, Span<float> output)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long[] outputShape = [shape[0], .. OutputShape.Skip(1)];
        fixed (float* data = input)
        fixed (float* result = output)
        {
            using OrtValue value = Wrap(data, input.Length, shape);
            using OrtValue target = Wrap(result, output.Length, outputShape);
            Execute(() => { _session.Run(_runOptions, _inputNames, [value], _outputNames, [target]); return 0; }, shape);
        }
    }

    // The OrtValue only borrows the (pinned) memory: it must be disposed before the caller's fixed block ends.
    private static OrtValue Wrap(float* data, int length, long[] shape) =>
        OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, TensorElementType.Float, shape, (nint)data, (long)length * sizeof(float));

    private T Execute<T>(Func<T> run, long[] shape)
    {
        try
        {
            return run();
        }
        catch (Ort.OnnxRuntimeException e)
        {
            throw new OnnxRuntimeException($"running {Source} on an input of shape [{string.Join(", ", shape)}]: {e.Message}", e);
        }
    }

    private static OnnxSession Create(OnnxSessionOptions options, string source, Func<SessionOptions, InferenceSession> create)
    {
        options.Validate();
        OnnxRuntime.EnsureEnvironment();
        InferenceSession session;
        // ONNX Runtime copies what it needs from the options when the session is made.
        using (SessionOptions sessionOptions = SessionOptionsFor(options))
        {
            try
            {
                session = create(sessionOptions);
            }
            catch (Ort.OnnxRuntimeException e)
            {
                throw new OnnxRuntimeException($"ONNX Runtime could not load {source}: {e.Message}", e);
            }
        }
        try
        {
            return new OnnxSession(session, source, options);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    private static SessionOptions SessionOptionsFor(OnnxSessionOptions options)
    {
        var sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = options.IntraOpThreads,
            InterOpNumThreads = options.InterOpThreads,
            GraphOptimizationLevel = options.OptimizationLevel switch
            {
                GraphOptimizationLevel.Disabled => Ort.GraphOptimizationLevel.ORT_DISABLE_ALL,
                GraphOptimizationLevel.Basic => Ort.GraphOptimizationLevel.ORT_ENABLE_BASIC,
                GraphOptimizationLevel.Extended => Ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
                _ => Ort.GraphOptimizationLevel.ORT_ENABLE_ALL,
            },
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        try
        {
            if (options.ProfileOutputPrefix is { } prefix)
            {
                string full = Path.GetFullPath(prefix);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                // In this order: turning profiling on hands ONNX Runtime the prefix set at that moment.
                sessionOptions.ProfileOutputPathPrefix = full;
                sessionOptions.EnableProfiling = true;
            }
            if (options.ExecutionProvider == OnnxExecutionProvider.Cuda) AppendCuda(sessionOptions, options.CudaDeviceId);
            return sessionOptions;
        }
        catch
        {
            sessionOptions.Dispose();
            throw;
        }
    }

    private static void AppendCuda(SessionOptions sessionOptions, int deviceId)
    {
        IReadOnlyList<string> available = OnnxRuntime.AvailableProviders;
        if (!available.Contains(OnnxRuntime.CudaProvider))
            throw new OnnxRuntimeException(
                $"the CUDA execution provider was requested, but this build of ONNX Runtime {OnnxRuntime.Version} offers only " +
                $"{string.Join(", ", available)}: build with -p:OnnxRuntimeGpu=true (Microsoft.ML.OnnxRuntime.Gpu.Linux) for GPUs, or use the CPU");
        try
        {
            sessionOptions.AppendExecutionProvider_CUDA(deviceId);
        }
        catch (Ort.OnnxRuntimeException e)
        {
            // The GPU package loads libonnxruntime_providers_cuda.so here, which needs CUDA 12 and cuDNN 9 on the library path.
            throw new OnnxRuntimeException(
                $"the CUDA execution provider was requested but is not usable on GPU {deviceId}: {e.Message} " +
                "(ONNX Runtime's GPU package needs a CUDA 12 driver, the CUDA 12 runtime libraries and cuDNN 9; use the CPU otherwise)", e);
        }
    }

    private static long[] FloatTensorShape(NodeMetadata node, string what)
    {
        if (!node.IsTensor) throw new NotSupportedException($"the model's {what} is not a tensor");
        if (node.ElementDataType != TensorElementType.Float)
            throw new NotSupportedException($"the model's {what} holds {node.ElementDataType}, not float");
        return node.Dimensions.Select(d => (long)d).ToArray();
    }
}
