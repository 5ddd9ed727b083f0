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
}
