namespace PocketNet.Portal.Store;

/// <summary>Where a model on the leaderboard comes from.</summary>
public enum ModelOrigin
{
    /// <summary>Trained by a job of this portal.</summary>
    Trained,

    /// <summary>An ONNX model trained elsewhere, uploaded or imported by path, evaluated through ONNX Runtime.</summary>
    External,

    /// <summary>A model folder (weights + config) imported from elsewhere, e.g. the published PocketNet weights.</summary>
    Imported,

    /// <summary>Numbers published in a paper: a reference row with results but no weights.</summary>
    Published,

    /// <summary>Made by the portal to read other rows against: a network's random initialisation, never trained (the floor).</summary>
    Baseline,

    /// <summary>
    /// The int8 quantisation of another stored model (<see cref="ModelRecord.QuantizedFromId"/>), made by this portal:
    /// an ONNX graph only, evaluated through ONNX Runtime.
    /// </summary>
    Quantized,
}

/// <summary>What the origins imply for running a model.</summary>
public static class ModelOrigins
{
    /// <summary>True for models that exist only as model.onnx (no weights for the engine): ONNX Runtime runs them.</summary>
    public static bool OnnxOnly(this ModelOrigin origin) => origin is ModelOrigin.External or ModelOrigin.Quantized;
}
