namespace PocketNet.Onnx.Quantization;

/// <summary>What <see cref="OnnxQuantizer"/> did to a model.</summary>
/// <param name="QuantizedOperators">Nodes that now read integer weights or quantised activations, by operator (Conv 308, Add 70, ...).</param>
/// <param name="QuantizedTensors">Activation tensors given a QuantizeLinear/DequantizeLinear pair.</param>
/// <param name="CalibrationImages">Images the activation ranges were calibrated on.</param>
/// <param name="FloatBytes">Size of the float model file.</param>
/// <param name="QuantizedBytes">Size of the int8 model file.</param>
public sealed record QuantizationResult(
    IReadOnlyDictionary<string, int> QuantizedOperators, int QuantizedTensors, int CalibrationImages, long FloatBytes, long QuantizedBytes)
{
    /// <summary>How the weights and activations are stored, for reports and the model's metadata.</summary>
    public const string Scheme = "int8 QDQ: per-channel symmetric int8 weights, int32 biases, uint8 asymmetric activations (min/max calibration)";
}
