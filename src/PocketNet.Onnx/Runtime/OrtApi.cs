using System.Runtime.InteropServices;

namespace PocketNet.Onnx.Runtime;

/// <summary>
/// The part of ONNX Runtime's C API this binding uses. <c>OrtGetApiBase()->GetApi(version)</c> returns
/// <c>const OrtApi*</c>, a struct of function pointers whose order is fixed (new functions are only ever
/// appended), so each function is read at its index in onnxruntime_c_api.h's <c>struct OrtApi</c> and
/// called through an unmanaged function pointer. Pointers to ORT objects are <see cref="nint"/>; every
/// function returning <c>OrtStatus*</c> returns null on success.
/// </summary>
internal sealed unsafe class OrtApi
{
    /// <summary>ORT_API_VERSION of ONNX Runtime 1.30's header; GetApi returns null from an older library.</summary>
    public const uint ApiVersion = 30;

    // Indices in struct OrtApi (0-based), counted from onnxruntime_c_api.h.
    private const int IndexGetErrorCode = 1;
    private const int IndexGetErrorMessage = 2;
    private const int IndexCreateEnv = 3;
    private const int IndexCreateSession = 7;
    private const int IndexCreateSessionFromArray = 8;
    private const int IndexRun = 9;
    private const int IndexCreateSessionOptions = 10;
    private const int IndexSetSessionGraphOptimizationLevel = 23;
    private const int IndexSetIntraOpNumThreads = 24;
    private const int IndexSetInterOpNumThreads = 25;
    private const int IndexSessionGetInputCount = 30;
    private const int IndexSessionGetOutputCount = 31;
    private const int IndexSessionGetInputTypeInfo = 33;
    private const int IndexSessionGetOutputTypeInfo = 34;
    private const int IndexSessionGetInputName = 36;
    private const int IndexSessionGetOutputName = 37;
    private const int IndexCreateTensorWithDataAsOrtValue = 49;
    private const int IndexGetTensorMutableData = 51;
    private const int IndexCastTypeInfoToTensorInfo = 55;
    private const int IndexGetTensorElementType = 60;
    private const int IndexGetDimensionsCount = 61;
    private const int IndexGetDimensions = 62;
    private const int IndexGetTensorTypeAndShape = 65;
    private const int IndexCreateCpuMemoryInfo = 69;
    private const int IndexAllocatorFree = 76;
    private const int IndexGetAllocatorWithDefaultOptions = 78;
    private const int IndexReleaseStatus = 93;
    private const int IndexReleaseMemoryInfo = 94;
    private const int IndexReleaseSession = 95;
    private const int IndexReleaseValue = 96;
    private const int IndexReleaseTypeInfo = 98;
    private const int IndexReleaseTensorTypeAndShapeInfo = 99;
    private const int IndexReleaseSessionOptions = 100;
    private const int IndexSessionGetModelMetadata = 111;
    private const int IndexModelMetadataGetProducerName = 112;
    private const int IndexModelMetadataLookupCustomMetadataMap = 116;
    private const int IndexReleaseModelMetadata = 118;
    private const int IndexModelMetadataGetCustomMetadataMapKeys = 123;
    private const int IndexGetAvailableProviders = 125;
    private const int IndexReleaseAvailableProviders = 126;
    private const int IndexSessionOptionsAppendExecutionProviderCudaV2 = 204;
    private const int IndexCreateCudaProviderOptions = 205;
    private const int IndexUpdateCudaProviderOptions = 206;
    private const int IndexReleaseCudaProviderOptions = 208;

    public OrtApi(nint* table)
    {
        GetErrorCode = (delegate* unmanaged<nint, int>)table[IndexGetErrorCode];
        GetErrorMessage = (delegate* unmanaged<nint, byte*>)table[IndexGetErrorMessage];
        CreateEnv = (delegate* unmanaged<int, byte*, nint*, nint>)table[IndexCreateEnv];
        CreateSession = (delegate* unmanaged<nint, void*, nint, nint*, nint>)table[IndexCreateSession];
        CreateSessionFromArray = (delegate* unmanaged<nint, void*, nuint, nint, nint*, nint>)table[IndexCreateSessionFromArray];
        Run = (delegate* unmanaged<nint, nint, byte**, nint*, nuint, byte**, nuint, nint*, nint>)table[IndexRun];
        CreateSessionOptions = (delegate* unmanaged<nint*, nint>)table[IndexCreateSessionOptions];
        SetSessionGraphOptimizationLevel = (delegate* unmanaged<nint, int, nint>)table[IndexSetSessionGraphOptimizationLevel];
        SetIntraOpNumThreads = (delegate* unmanaged<nint, int, nint>)table[IndexSetIntraOpNumThreads];
        SetInterOpNumThreads = (delegate* unmanaged<nint, int, nint>)table[IndexSetInterOpNumThreads];
        SessionGetInputCount = (delegate* unmanaged<nint, nuint*, nint>)table[IndexSessionGetInputCount];
        SessionGetOutputCount = (delegate* unmanaged<nint, nuint*, nint>)table[IndexSessionGetOutputCount];
        SessionGetInputTypeInfo = (delegate* unmanaged<nint, nuint, nint*, nint>)table[IndexSessionGetInputTypeInfo];
        SessionGetOutputTypeInfo = (delegate* unmanaged<nint, nuint, nint*, nint>)table[IndexSessionGetOutputTypeInfo];
        SessionGetInputName = (delegate* unmanaged<nint, nuint, nint, byte**, nint>)table[IndexSessionGetInputName];
        SessionGetOutputName = (delegate* unmanaged<nint, nuint, nint, byte**, nint>)table[IndexSessionGetOutputName];
        CreateTensorWithDataAsOrtValue = (delegate* unmanaged<nint, void*, nuint, long*, nuint, int, nint*, nint>)table[IndexCreateTensorWithDataAsOrtValue];
        GetTensorMutableData = (delegate* unmanaged<nint, void**, nint>)table[IndexGetTensorMutableData];
        CastTypeInfoToTensorInfo = (delegate* unmanaged<nint, nint*, nint>)table[IndexCastTypeInfoToTensorInfo];
        GetTensorElementType = (delegate* unmanaged<nint, int*, nint>)table[IndexGetTensorElementType];
        GetDimensionsCount = (delegate* unmanaged<nint, nuint*, nint>)table[IndexGetDimensionsCount];
        GetDimensions = (delegate* unmanaged<nint, long*, nuint, nint>)table[IndexGetDimensions];
        GetTensorTypeAndShape = (delegate* unmanaged<nint, nint*, nint>)table[IndexGetTensorTypeAndShape];
        CreateCpuMemoryInfo = (delegate* unmanaged<int, int, nint*, nint>)table[IndexCreateCpuMemoryInfo];
        AllocatorFree = (delegate* unmanaged<nint, void*, nint>)table[IndexAllocatorFree];
        GetAllocatorWithDefaultOptions = (delegate* unmanaged<nint*, nint>)table[IndexGetAllocatorWithDefaultOptions];
        ReleaseStatus = (delegate* unmanaged<nint, void>)table[IndexReleaseStatus];
        ReleaseMemoryInfo = (delegate* unmanaged<nint, void>)table[IndexReleaseMemoryInfo];
        ReleaseSession = (delegate* unmanaged<nint, void>)table[IndexReleaseSession];
        ReleaseValue = (delegate* unmanaged<nint, void>)table[IndexReleaseValue];
        ReleaseTypeInfo = (delegate* unmanaged<nint, void>)table[IndexReleaseTypeInfo];
        ReleaseTensorTypeAndShapeInfo = (delegate* unmanaged<nint, void>)table[IndexReleaseTensorTypeAndShapeInfo];
        ReleaseSessionOptions = (delegate* unmanaged<nint, void>)table[IndexReleaseSessionOptions];
        SessionGetModelMetadata = (delegate* unmanaged<nint, nint*, nint>)table[IndexSessionGetModelMetadata];
        ModelMetadataGetProducerName = (delegate* unmanaged<nint, nint, byte**, nint>)table[IndexModelMetadataGetProducerName];
        ModelMetadataLookupCustomMetadataMap = (delegate* unmanaged<nint, nint, byte*, byte**, nint>)table[IndexModelMetadataLookupCustomMetadataMap];
        ReleaseModelMetadata = (delegate* unmanaged<nint, void>)table[IndexReleaseModelMetadata];
        ModelMetadataGetCustomMetadataMapKeys = (delegate* unmanaged<nint, nint, byte***, long*, nint>)table[IndexModelMetadataGetCustomMetadataMapKeys];
        GetAvailableProviders = (delegate* unmanaged<byte***, int*, nint>)table[IndexGetAvailableProviders];
        ReleaseAvailableProviders = (delegate* unmanaged<byte**, int, nint>)table[IndexReleaseAvailableProviders];
        SessionOptionsAppendExecutionProviderCudaV2 = (delegate* unmanaged<nint, nint, nint>)table[IndexSessionOptionsAppendExecutionProviderCudaV2];
        CreateCudaProviderOptions = (delegate* unmanaged<nint*, nint>)table[IndexCreateCudaProviderOptions];
        UpdateCudaProviderOptions = (delegate* unmanaged<nint, byte**, byte**, nuint, nint>)table[IndexUpdateCudaProviderOptions];
        ReleaseCudaProviderOptions = (delegate* unmanaged<nint, void>)table[IndexReleaseCudaProviderOptions];
    }

    // OrtErrorCode GetErrorCode(const OrtStatus*); const char* GetErrorMessage(const OrtStatus*)
    public readonly delegate* unmanaged<nint, int> GetErrorCode;
    public readonly delegate* unmanaged<nint, byte*> GetErrorMessage;
    // CreateEnv(OrtLoggingLevel, const char* logid, OrtEnv** out)
    public readonly delegate* unmanaged<int, byte*, nint*, nint> CreateEnv;
    // CreateSession(const OrtEnv*, const ORTCHAR_T* model_path, const OrtSessionOptions*, OrtSession** out)
    public readonly delegate* unmanaged<nint, void*, nint, nint*, nint> CreateSession;
    // CreateSessionFromArray(const OrtEnv*, const void* data, size_t length, const OrtSessionOptions*, OrtSession** out)
    public readonly delegate* unmanaged<nint, void*, nuint, nint, nint*, nint> CreateSessionFromArray;
    // Run(OrtSession*, const OrtRunOptions*, const char* const* input_names, const OrtValue* const* inputs, size_t input_len,
    //     const char* const* output_names, size_t output_names_len, OrtValue** outputs)
    public readonly delegate* unmanaged<nint, nint, byte**, nint*, nuint, byte**, nuint, nint*, nint> Run;
    public readonly delegate* unmanaged<nint*, nint> CreateSessionOptions;
    // SetSessionGraphOptimizationLevel(OrtSessionOptions*, GraphOptimizationLevel)
    public readonly delegate* unmanaged<nint, int, nint> SetSessionGraphOptimizationLevel;
    public readonly delegate* unmanaged<nint, int, nint> SetIntraOpNumThreads;
    public readonly delegate* unmanaged<nint, int, nint> SetInterOpNumThreads;
    public readonly delegate* unmanaged<nint, nuint*, nint> SessionGetInputCount;
    public readonly delegate* unmanaged<nint, nuint*, nint> SessionGetOutputCount;
    // SessionGet{Input,Output}TypeInfo(const OrtSession*, size_t index, OrtTypeInfo** out)
    public readonly delegate* unmanaged<nint, nuint, nint*, nint> SessionGetInputTypeInfo;
    public readonly delegate* unmanaged<nint, nuint, nint*, nint> SessionGetOutputTypeInfo;
    // SessionGet{Input,Output}Name(const OrtSession*, size_t index, OrtAllocator*, char** value): free with AllocatorFree
    public readonly delegate* unmanaged<nint, nuint, nint, byte**, nint> SessionGetInputName;
    public readonly delegate* unmanaged<nint, nuint, nint, byte**, nint> SessionGetOutputName;
    // CreateTensorWithDataAsOrtValue(const OrtMemoryInfo*, void* data, size_t data_bytes, const int64_t* shape, size_t shape_len,
    //     ONNXTensorElementDataType, OrtValue** out): the value borrows the data, which must outlive it
    public readonly delegate* unmanaged<nint, void*, nuint, long*, nuint, int, nint*, nint> CreateTensorWithDataAsOrtValue;
    public readonly delegate* unmanaged<nint, void**, nint> GetTensorMutableData;
    // CastTypeInfoToTensorInfo(const OrtTypeInfo*, const OrtTensorTypeAndShapeInfo** out): owned by the type info
    public readonly delegate* unmanaged<nint, nint*, nint> CastTypeInfoToTensorInfo;
    public readonly delegate* unmanaged<nint, int*, nint> GetTensorElementType;
    public readonly delegate* unmanaged<nint, nuint*, nint> GetDimensionsCount;
    public readonly delegate* unmanaged<nint, long*, nuint, nint> GetDimensions;
    public readonly delegate* unmanaged<nint, nint*, nint> GetTensorTypeAndShape;
    // CreateCpuMemoryInfo(OrtAllocatorType, OrtMemType, OrtMemoryInfo** out)
    public readonly delegate* unmanaged<int, int, nint*, nint> CreateCpuMemoryInfo;
    public readonly delegate* unmanaged<nint, void*, nint> AllocatorFree;
    public readonly delegate* unmanaged<nint*, nint> GetAllocatorWithDefaultOptions;
    public readonly delegate* unmanaged<nint, void> ReleaseStatus;
    public readonly delegate* unmanaged<nint, void> ReleaseMemoryInfo;
    public readonly delegate* unmanaged<nint, void> ReleaseSession;
    public readonly delegate* unmanaged<nint, void> ReleaseValue;
    public readonly delegate* unmanaged<nint, void> ReleaseTypeInfo;
    public readonly delegate* unmanaged<nint, void> ReleaseTensorTypeAndShapeInfo;
    public readonly delegate* unmanaged<nint, void> ReleaseSessionOptions;
    public readonly delegate* unmanaged<nint, nint*, nint> SessionGetModelMetadata;
    // ModelMetadataGetProducerName(const OrtModelMetadata*, OrtAllocator*, char** value)
    public readonly delegate* unmanaged<nint, nint, byte**, nint> ModelMetadataGetProducerName;
    // ModelMetadataLookupCustomMetadataMap(const OrtModelMetadata*, OrtAllocator*, const char* key, char** value): null when absent
    public readonly delegate* unmanaged<nint, nint, byte*, byte**, nint> ModelMetadataLookupCustomMetadataMap;
    public readonly delegate* unmanaged<nint, void> ReleaseModelMetadata;
    // ModelMetadataGetCustomMetadataMapKeys(const OrtModelMetadata*, OrtAllocator*, char*** keys, int64_t* num_keys)
    public readonly delegate* unmanaged<nint, nint, byte***, long*, nint> ModelMetadataGetCustomMetadataMapKeys;
    // GetAvailableProviders(char*** out, int* length); ReleaseAvailableProviders(char** ptr, int length)
    public readonly delegate* unmanaged<byte***, int*, nint> GetAvailableProviders;
    public readonly delegate* unmanaged<byte**, int, nint> ReleaseAvailableProviders;
    // SessionOptionsAppendExecutionProvider_CUDA_V2(OrtSessionOptions*, const OrtCUDAProviderOptionsV2*)
    public readonly delegate* unmanaged<nint, nint, nint> SessionOptionsAppendExecutionProviderCudaV2;
    public readonly delegate* unmanaged<nint*, nint> CreateCudaProviderOptions;
    // UpdateCUDAProviderOptions(OrtCUDAProviderOptionsV2*, const char* const* keys, const char* const* values, size_t count)
    public readonly delegate* unmanaged<nint, byte**, byte**, nuint, nint> UpdateCudaProviderOptions;
    public readonly delegate* unmanaged<nint, void> ReleaseCudaProviderOptions;

    /// <summary>Throws <see cref="OnnxRuntimeException"/> carrying the status's code and message when <paramref name="status"/> is an error (and releases it).</summary>
    public void Check(nint status, string action)
    {
        if (status == 0) return;
        var code = (OrtErrorCode)GetErrorCode(status);
        string message = Marshal.PtrToStringUTF8((nint)GetErrorMessage(status)) ?? "(no message)";
        ReleaseStatus(status);
        throw new OnnxRuntimeException(code, $"{action}: {message}");
    }

    /// <summary>Copies a string ONNX Runtime allocated with <paramref name="allocator"/>, then frees it.</summary>
    public string TakeString(nint allocator, byte* value)
    {
        if (value is null) return "";
        try
        {
            return Marshal.PtrToStringUTF8((nint)value) ?? "";
        }
        finally
        {
            AllocatorFree(allocator, value);
        }
    }
}

/// <summary>ONNX Runtime's OrtErrorCode (onnxruntime_error_code.h).</summary>
public enum OrtErrorCode
{
    Ok = 0,
    Fail = 1,
    InvalidArgument = 2,
    NoSuchFile = 3,
    NoModel = 4,
    EngineError = 5,
    RuntimeException = 6,
    InvalidProtobuf = 7,
    ModelLoaded = 8,
    NotImplemented = 9,
    InvalidGraph = 10,
    EpFail = 11,
    ModelLoadCanceled = 12,
    ModelRequiresCompilation = 13,
    NotFound = 14,
    DeviceReset = 15,
}
