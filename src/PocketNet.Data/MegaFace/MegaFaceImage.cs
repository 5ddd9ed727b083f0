namespace PocketNet.Data.MegaFace;

/// <summary>A FaceScrub probe image: path relative to the probe image root, full path, identity, and whether the refined lists mark it as noise.</summary>
public sealed record MegaFaceProbe(int Index, string RelativePath, string ImagePath, string Identity, bool IsNoise);

/// <summary>A MegaFace distractor image: path relative to the distractor image root, full path, and whether the refined lists mark it as noise.</summary>
public sealed record MegaFaceDistractor(int Index, string RelativePath, string ImagePath, bool IsNoise);
