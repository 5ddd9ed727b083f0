namespace PocketNet.Onnx.Export;

/// <summary>Keys of the metadata_props an exported model carries (read back by <see cref="Runtime.OnnxSession.Metadata"/>).</summary>
public static class OnnxMetadataKeys
{
    public const string ModelName = "model_name";
    public const string Architecture = "architecture";
    public const string EmbeddingSize = "embedding_size";

    /// <summary>Value: <see cref="OnnxExporter.InputNormalization"/>.</summary>
    public const string InputNormalization = "input_normalization";

    public const string InputLayout = "input_layout";

    /// <summary>Trainable parameters, counted as the reference counts them.</summary>
    public const string Parameters = "parameters";

    public const string Producer = "producer";

    /// <summary>The ModelConfig as snake_case JSON (as config.json), enough to rebuild the network.</summary>
    public const string ModelConfig = "model_config";

    /// <summary>Cell networks only: the genotype in the reference's text form.</summary>
    public const string Genotype = "genotype";
}
