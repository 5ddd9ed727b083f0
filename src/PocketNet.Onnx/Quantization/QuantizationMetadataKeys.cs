namespace PocketNet.Onnx.Quantization;

/// <summary>metadata_props an int8 model carries besides those of the float model it came from.</summary>
public static class QuantizationMetadataKeys
{
    /// <summary>Value: <see cref="QuantizationResult.Scheme"/>.</summary>
    public const string Quantization = "quantization";

    /// <summary>Where the calibration images came from and how many there were, e.g. "256 images of recordio:/data/synth/train".</summary>
    public const string Calibration = "calibration";
}
