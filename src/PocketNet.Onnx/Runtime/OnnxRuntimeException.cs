namespace PocketNet.Onnx.Runtime;

/// <summary>An error reported by ONNX Runtime (an OrtStatus): its code, and its message after what was being done.</summary>
public sealed class OnnxRuntimeException(OrtErrorCode code, string message) : Exception(message)
{
    public OrtErrorCode Code { get; } = code;
}

/// <summary>The ONNX Runtime library could not be found or loaded; the message says how to get it.</summary>
public sealed class OnnxRuntimeNotFoundException(string message, Exception? inner = null) : Exception(message, inner);
