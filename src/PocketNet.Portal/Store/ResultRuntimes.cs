namespace PocketNet.Portal.Store;

/// <summary>
/// What <see cref="ResultRecord.Runtime"/> holds: the evaluation runtime's name as results.json records it
/// ("libtorch", "onnx"), or "published" for a paper's number; and the order pages list them in.
/// </summary>
public static class ResultRuntimes
{
    public const string Libtorch = "libtorch";
    public const string Onnx = "onnx";
    public const string Published = "published";

    /// <summary>The engine first, then ONNX Runtime, then whatever else a result names.</summary>
    public static int Order(string runtime) => runtime switch
    {
        Libtorch => 0,
        Onnx => 1,
        _ => 2,
    };
}
