using System.Runtime.InteropServices;
using System.Text;

namespace PocketNet.Onnx.Runtime;

/// <summary>
/// An ONNX model loaded into ONNX Runtime, for models with one float input and one float output (as the
/// exporter writes them: "input" [batch, 3, 112, 112] to "embedding" [batch, E]). Run may be called from
/// several threads at once (ONNX Runtime's sessions are thread-safe); dispose when done.
/// </summary>
public sealed unsafe class OnnxSession : IDisposable
{
    private const int ElementTypeFloat = 1;

    private readonly SessionHandle _handle;
    private readonly byte[] _inputName, _outputName;

    private OnnxSession(SessionHandle handle, string source, OnnxExecutionProvider provider)
    {
        (_handle, Source, ExecutionProvider) = (handle, source, provider);
        OrtApi api = OnnxRuntime.Api;
        nint session = handle.DangerousGetHandle();
        nuint inputs, outputs;
        api.Check(api.SessionGetInputCount(session, &inputs), $"reading the inputs of {source}");
        api.Check(api.SessionGetOutputCount(session, &outputs), $"reading the outputs of {source}");
        if (inputs != 1 || outputs != 1)
            throw new NotSupportedException($"{source} has {inputs} inputs and {outputs} outputs; an embedding model has one of each");

        byte* name;
        api.Check(api.SessionGetInputName(session, 0, OnnxRuntime.DefaultAllocator, &name), $"reading the input name of {source}");
        InputName = api.TakeString(OnnxRuntime.DefaultAllocator, name);
        api.Check(api.SessionGetOutputName(session, 0, OnnxRuntime.DefaultAllocator, &name), $"reading the output name of {source}");
        OutputName = api.TakeString(OnnxRuntime.DefaultAllocator, name);
        _inputName = Utf8(InputName);
        _outputName = Utf8(OutputName);
        InputShape = FloatTensorShape(api, session, input: true);
        OutputShape = FloatTensorShape(api, session, input: false);
        (ProducerName, Metadata) = ReadMetadata(api, session);
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
        options ??= new OnnxSessionOptions();
        return Create(options, $"'{full}'", (api, env, sessionOptions, session) =>
        {
            if (OperatingSystem.IsWindows())
                fixed (char* p = full + "\0") return api.CreateSession(env, p, sessionOptions, session);
            fixed (byte* p = Utf8(full)) return api.CreateSession(env, p, sessionOptions, session);
        });
    }

    /// <summary>Loads a model from its serialised bytes.</summary>
    public static OnnxSession Load(ReadOnlySpan<byte> model, OnnxSessionOptions? options = null, string source = "the in-memory model")
    {
        options ??= new OnnxSessionOptions();
        byte[] copy = model.ToArray();
        return Create(options, source, (api, env, sessionOptions, session) =>
        {
            fixed (byte* p = copy) return api.CreateSessionFromArray(env, p, (nuint)copy.Length, sessionOptions, session);
        });
    }

    /// <summary>
    /// Runs a batch of <paramref name="batch"/> samples laid out contiguously (NCHW for images) and returns
    /// the outputs, sample after sample (batch x <see cref="OutputSize"/> floats).
    /// </summary>
    public float[] Run(float[] input, int batch)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        if (InputShape.Skip(1).Any(d => d < 0))
            throw new NotSupportedException($"{Source} has symbolic input dimensions besides the batch; call Run(input, shape)");
        if (InputShape.Count > 0 && InputShape[0] >= 0 && InputShape[0] != batch)
            throw new ArgumentException($"{Source} takes a fixed batch of {InputShape[0]}, not {batch}", nameof(batch));
        long[] shape = [batch, .. InputShape.Skip(1)];
        long needed = shape.Aggregate(1L, (a, b) => a * b);
        if (input.LongLength != needed)
            throw new ArgumentException(
                $"the input holds {input.LongLength} floats, but a batch of {batch} [{string.Join(", ", InputShape.Skip(1))}] samples for {Source} needs {needed}",
                nameof(input));
        return Run(input, shape).Data;
    }

    /// <summary>Runs one input tensor of the given shape as is (ONNX Runtime checks it against the model).</summary>
    public (float[] Data, long[] Shape) Run(ReadOnlySpan<float> input, ReadOnlySpan<long> shape)
    {
        long count = 1;
        foreach (long d in shape) count *= d;
        if (shape.IsEmpty || count != input.Length)
            throw new ArgumentException($"a tensor of shape [{string.Join(", ", shape.ToArray())}] holds {count} floats, but {input.Length} were given", nameof(input));
        string described = $"[{string.Join(", ", shape.ToArray())}]";

        OrtApi api = OnnxRuntime.Api;
        bool added = false;
        _handle.DangerousAddRef(ref added);
        nint value = 0, output = 0;
        try
        {
            fixed (float* data = input)
            fixed (long* dims = shape)
                api.Check(api.CreateTensorWithDataAsOrtValue(OnnxRuntime.CpuMemoryInfo, data, (nuint)((long)input.Length * sizeof(float)),
                    dims, (nuint)shape.Length, ElementTypeFloat, &value), $"wrapping the {described} input for {Source}");
            fixed (float* pinned = input)
            fixed (byte* inputName = _inputName)
            fixed (byte* outputName = _outputName)
            {
                byte* inputNames = inputName, outputNames = outputName;
                api.Check(api.Run(_handle.DangerousGetHandle(), 0, &inputNames, &value, 1, &outputNames, 1, &output),
                    $"running {Source} on an input of shape {described}");
            }
            return ReadFloatTensor(api, output);
        }
        finally
        {
            if (output != 0) api.ReleaseValue(output);
            if (value != 0) api.ReleaseValue(value);
            if (added) _handle.DangerousRelease();
        }
    }

    public void Dispose() => _handle.Dispose();

    public override string ToString() => $"ONNX session on {Source} ({ExecutionProvider}): {InputName} [{string.Join(", ", InputShape)}] -> {OutputName} [{string.Join(", ", OutputShape)}]";

    private delegate nint CreateSessionCall(OrtApi api, nint env, nint options, nint* session);

    private static OnnxSession Create(OnnxSessionOptions options, string source, CreateSessionCall create)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(options.IntraOpThreads);
        ArgumentOutOfRangeException.ThrowIfNegative(options.InterOpThreads);
        OrtApi api = OnnxRuntime.Api;
        nint sessionOptions = 0, cudaOptions = 0, session = 0;
        api.Check(api.CreateSessionOptions(&sessionOptions), "creating ONNX Runtime session options");
        try
        {
            if (options.IntraOpThreads > 0)
                api.Check(api.SetIntraOpNumThreads(sessionOptions, options.IntraOpThreads), "setting the intra-op thread count");
            if (options.InterOpThreads > 0)
                api.Check(api.SetInterOpNumThreads(sessionOptions, options.InterOpThreads), "setting the inter-op thread count");
            api.Check(api.SetSessionGraphOptimizationLevel(sessionOptions, (int)options.OptimizationLevel), "setting the graph optimisation level");
            if (options.ExecutionProvider == OnnxExecutionProvider.Cuda) cudaOptions = AppendCuda(api, sessionOptions, options.CudaDeviceId);
            api.Check(create(api, OnnxRuntime.Env, sessionOptions, &session), $"ONNX Runtime could not load {source}");
        }
        finally
        {
            if (cudaOptions != 0) api.ReleaseCudaProviderOptions(cudaOptions);
            api.ReleaseSessionOptions(sessionOptions);
        }
        var handle = new SessionHandle(session);
        try
        {
            return new OnnxSession(handle, source, options.ExecutionProvider);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static nint AppendCuda(OrtApi api, nint sessionOptions, int deviceId)
    {
        const string cuda = "CUDAExecutionProvider";
        IReadOnlyList<string> available = OnnxRuntime.AvailableProviders;
        if (!available.Contains(cuda))
            throw new OnnxRuntimeException(OrtErrorCode.EpFail,
                $"the CUDA execution provider was requested, but ONNX Runtime {OnnxRuntime.Version} at '{OnnxRuntime.LibraryPath}' offers only " +
                $"{string.Join(", ", available)}; use the CPU provider or a GPU build of ONNX Runtime");
        nint cudaOptions = 0;
        try
        {
            api.Check(api.CreateCudaProviderOptions(&cudaOptions), "creating CUDA provider options");
            fixed (byte* key = "device_id\0"u8)
            fixed (byte* value = Utf8(deviceId.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            {
                byte* keys = key, values = value;
                api.Check(api.UpdateCudaProviderOptions(cudaOptions, &keys, &values, 1), $"selecting CUDA device {deviceId}");
            }
            api.Check(api.SessionOptionsAppendExecutionProviderCudaV2(sessionOptions, cudaOptions), "adding the CUDA execution provider");
            return cudaOptions;
        }
        catch (OnnxRuntimeException e)
        {
            if (cudaOptions != 0) api.ReleaseCudaProviderOptions(cudaOptions);
            // ONNX Runtime loads its CUDA provider from libonnxruntime_providers_cuda.so (through
            // libonnxruntime_providers_shared.so) beside the main library; the npm package does not ship them.
            throw new OnnxRuntimeException(e.Code,
                $"the CUDA execution provider was requested but is not usable on GPU {deviceId}: {e.Message} " +
                $"(it needs libonnxruntime_providers_shared.so and libonnxruntime_providers_cuda.so of ONNX Runtime {OnnxRuntime.Version} " +
                $"beside '{OnnxRuntime.LibraryPath}', a CUDA 12 driver and cuDNN 9; use the CPU provider otherwise)");
        }
    }

    private static long[] FloatTensorShape(OrtApi api, nint session, bool input)
    {
        string what = input ? "input" : "output";
        nint typeInfo;
        api.Check(input ? api.SessionGetInputTypeInfo(session, 0, &typeInfo) : api.SessionGetOutputTypeInfo(session, 0, &typeInfo),
            $"reading the model's {what} type");
        try
        {
            nint tensorInfo;
            api.Check(api.CastTypeInfoToTensorInfo(typeInfo, &tensorInfo), $"reading the model's {what} type");
            if (tensorInfo == 0) throw new NotSupportedException($"the model's {what} is not a tensor");
            int elementType;
            api.Check(api.GetTensorElementType(tensorInfo, &elementType), $"reading the model's {what} element type");
            if (elementType != ElementTypeFloat)
                throw new NotSupportedException($"the model's {what} holds ONNX element type {elementType}, not float");
            return Dimensions(api, tensorInfo);
        }
        finally
        {
            api.ReleaseTypeInfo(typeInfo);
        }
    }

    private static long[] Dimensions(OrtApi api, nint tensorInfo)
    {
        nuint rank;
        api.Check(api.GetDimensionsCount(tensorInfo, &rank), "reading a tensor's rank");
        var dims = new long[(int)rank];
        fixed (long* p = dims) api.Check(api.GetDimensions(tensorInfo, p, rank), "reading a tensor's dimensions");
        return dims;
    }

    private static (float[] Data, long[] Shape) ReadFloatTensor(OrtApi api, nint value)
    {
        nint info;
        api.Check(api.GetTensorTypeAndShape(value, &info), "reading the output's shape");
        long[] shape;
        try
        {
            int elementType;
            api.Check(api.GetTensorElementType(info, &elementType), "reading the output's element type");
            if (elementType != ElementTypeFloat) throw new NotSupportedException($"the output holds ONNX element type {elementType}, not float");
            shape = Dimensions(api, info);
        }
        finally
        {
            api.ReleaseTensorTypeAndShapeInfo(info);
        }
        long count = shape.Aggregate(1L, (a, b) => a * b);
        void* data;
        api.Check(api.GetTensorMutableData(value, &data), "reading the output");
        var result = new float[count];
        new ReadOnlySpan<float>(data, checked((int)count)).CopyTo(result);
        return (result, shape);
    }

    private static (string Producer, IReadOnlyDictionary<string, string> Metadata) ReadMetadata(OrtApi api, nint session)
    {
        nint allocator = OnnxRuntime.DefaultAllocator, metadata;
        api.Check(api.SessionGetModelMetadata(session, &metadata), "reading the model's metadata");
        try
        {
            byte* producer;
            api.Check(api.ModelMetadataGetProducerName(metadata, allocator, &producer), "reading the model's producer");
            string producerName = api.TakeString(allocator, producer);

            byte** keys;
            long count;
            api.Check(api.ModelMetadataGetCustomMetadataMapKeys(metadata, allocator, &keys, &count), "reading the model's metadata keys");
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            if (keys is null) return (producerName, result);
            try
            {
                for (long i = 0; i < count; i++)
                {
                    byte* value;
                    api.Check(api.ModelMetadataLookupCustomMetadataMap(metadata, allocator, keys[i], &value), "reading a metadata value");
                    string key = Marshal.PtrToStringUTF8((nint)keys[i]) ?? "";
                    result[key] = api.TakeString(allocator, value);
                }
            }
            finally
            {
                for (long i = 0; i < count; i++) api.AllocatorFree(allocator, keys[i]);
                api.AllocatorFree(allocator, keys);
            }
            return (producerName, result);
        }
        finally
        {
            api.ReleaseModelMetadata(metadata);
        }
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text + "\0");

    /// <summary>Owns the OrtSession*: released once, after the last Run in flight (SafeHandle's reference count).</summary>
    private sealed class SessionHandle : SafeHandle
    {
        public SessionHandle(nint session) : base(0, ownsHandle: true) => SetHandle(session);

        public override bool IsInvalid => handle == 0;

        protected override bool ReleaseHandle()
        {
            OnnxRuntime.Api.ReleaseSession(handle);
            return true;
        }
    }
}
