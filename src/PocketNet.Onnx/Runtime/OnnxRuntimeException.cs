namespace PocketNet.Onnx.Runtime;

/// <summary>
/// ONNX Runtime refused a model or an input: the message says what was being done (which file, which shape), then
/// ONNX Runtime's own words ("[ErrorCode:...] ..."); the package's exception is the inner one.
/// </summary>
public sealed class OnnxRuntimeException(string message, Exception? inner = null) : Exception(message, inner);
