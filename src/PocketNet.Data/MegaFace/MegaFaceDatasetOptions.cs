namespace PocketNet.Data.MegaFace;

/// <summary>
/// Where the parts of a MegaFace challenge-1 set lie, when not in the default places of
/// <see cref="MegaFaceDataset.Open"/>. Relative paths are resolved against the dataset root.
/// </summary>
public sealed record MegaFaceDatasetOptions
{
    /// <summary>Probe list (devkit JSON or plain); default: templatelists/facescrub_features_list.json, else facescrub_lst.</summary>
    public string? ProbeListPath { get; init; }

    /// <summary>Distractor list (devkit JSON or plain); default: the devkit list of <see cref="DistractorCount"/>, else megaface_lst.</summary>
    public string? DistractorListPath { get; init; }

    /// <summary>Size of the devkit distractor list to use (megaface_features_list.json_SIZE_1); default 1,000,000, else the largest present.</summary>
    public int? DistractorCount { get; init; }

    /// <summary>Folder the probe paths are relative to; default facescrub_images.</summary>
    public string? ProbeImageRoot { get; init; }

    /// <summary>Folder the distractor paths are relative to; default megaface_images.</summary>
    public string? DistractorImageRoot { get; init; }

    /// <summary>The refined noise lists (facescrub_noises.txt, megaface_noises.txt): used when present unless false.</summary>
    public bool UseNoiseLists { get; init; } = true;

    public string? FacescrubNoisesPath { get; init; }
    public string? MegafaceNoisesPath { get; init; }

    /// <summary>Null: synthetic when a SYNTHETIC marker lies in the root.</summary>
    public bool? IsSynthetic { get; init; }

    public string? Name { get; init; }

    /// <summary>Side of the pre-aligned images (112 in the common distributions); other sizes are an error.</summary>
    public int ImageSize { get; init; } = 112;
}
