namespace PocketNet.Torch.Serialization;

/// <summary>The safetensors dtype codes this engine reads and writes, and their element types.</summary>
internal static class SafeTensorsDType
{
    public static string ToCode(ScalarType type) => type switch
    {
        ScalarType.Float64 => "F64",
        ScalarType.Float32 => "F32",
        ScalarType.Float16 => "F16",
        ScalarType.BFloat16 => "BF16",
        ScalarType.Int64 => "I64",
        ScalarType.Int32 => "I32",
        ScalarType.Int16 => "I16",
        ScalarType.Int8 => "I8",
        ScalarType.UInt8 => "U8",
        ScalarType.Bool => "BOOL",
        _ => throw new NotSupportedException($"tensors of type {type} cannot be stored in safetensors"),
    };

    public static bool TryParse(string code, out ScalarType type)
    {
        ScalarType? parsed = code switch
        {
            "F64" => ScalarType.Float64,
            "F32" => ScalarType.Float32,
            "F16" => ScalarType.Float16,
            "BF16" => ScalarType.BFloat16,
            "I64" => ScalarType.Int64,
            "I32" => ScalarType.Int32,
            "I16" => ScalarType.Int16,
            "I8" => ScalarType.Int8,
            "U8" => ScalarType.UInt8,
            "BOOL" => ScalarType.Bool,
            _ => null,
        };
        type = parsed.GetValueOrDefault();
        return parsed.HasValue;
    }
}
