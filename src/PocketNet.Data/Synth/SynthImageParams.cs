using System.Numerics;

namespace PocketNet.Data.Synth;

/// <summary>How strongly an image departs from a frontal, well-lit, clean capture.</summary>
internal enum SynthVariation
{
    /// <summary>Training / LFW-like: small pose, everyday expression and lighting.</summary>
    Normal,

    /// <summary>The frontal side of a CFP-FP pair.</summary>
    Frontal,

    /// <summary>The profile side of a CFP-FP pair: large yaw and roll.</summary>
    PoseHeavy,

    /// <summary>IJB-like: wider pose, blur, noise and occlusion.</summary>
    Unconstrained,
}

internal enum OcclusionKind
{
    None,
    Glasses,
    Sunglasses,
    Rectangle,
}

/// <summary>
/// The scene around a face: background, clothes, light, occluders. Drawn per image, or once per media
/// (an IJB video's frames share it).
/// </summary>
internal sealed record SynthScene
{
    public Vector3 Background1 { get; init; }
    public Vector3 Background2 { get; init; }
    public float BackgroundAngle { get; init; }
    public Vector3[] BlobColours { get; init; } = [];
    public Vector4[] Blobs { get; init; } = []; // x, y (fraction of the canvas), radius (fraction), opacity
    public Vector3 Clothes { get; init; }
    public float LightAngle { get; init; }
    public float LightStrength { get; init; }
    public float Brightness { get; init; }
    public OcclusionKind Occlusion { get; init; }
    public Vector3 OccluderColour { get; init; }
    public Vector4 OccluderBox { get; init; } // centre x, centre y, half width, half height (aligned frame)
    public float OccluderAngle { get; init; }

    public static SynthScene Create(Random r, SynthVariation variation)
    {
        bool wild = variation == SynthVariation.Unconstrained;
        var blobs = new Vector4[3];
        var blobColours = new Vector3[3];
        for (int i = 0; i < blobs.Length; i++)
        {
            blobs[i] = new Vector4(r.Range(0, 1), r.Range(0, 1), r.Range(0.1, 0.4), r.Range(0.2, 0.6));
            blobColours[i] = Colour(r, 30, 230);
        }
        double[] occlusion = wild ? [0.6, 0.14, 0.08, 0.18] : [0.8, 0.1, 0.03, 0.07];
        double u = r.NextDouble();
        int kind = u < occlusion[0] ? 0 : u < occlusion[0] + occlusion[1] ? 1 : u < occlusion[0] + occlusion[1] + occlusion[2] ? 2 : 3;
        return new SynthScene
        {
            Background1 = Colour(r, 20, 235),
            Background2 = Colour(r, 20, 235),
            BackgroundAngle = r.Range(0, 2 * Math.PI),
            Blobs = blobs,
            BlobColours = blobColours,
            Clothes = Colour(r, 15, 230),
            LightAngle = r.Range(0, 2 * Math.PI),
            LightStrength = r.Range(0, wild ? 0.5 : 0.32),
            Brightness = r.Range(wild ? 0.6 : 0.78, wild ? 1.3 : 1.18),
            Occlusion = (OcclusionKind)kind,
            OccluderColour = kind == 1 ? Colour(r, 10, 120) : Colour(r, 20, 220),
            OccluderBox = new Vector4(56 + r.Signed(30), 64 + r.Signed(34), r.Range(9, 20), r.Range(7, 17)),
            OccluderAngle = r.Signed(0.6),
        };
    }

    private static Vector3 Colour(Random r, int min, int max) => new(r.Range(min, max), r.Range(min, max), r.Range(min, max));
}

/// <summary>One capture of an identity: pose, expression, optics, and its scene.</summary>
internal sealed record SynthImageParams
{
    public float Roll { get; init; }
    public float Yaw { get; init; }
    public float ShiftX { get; init; }
    public float ShiftY { get; init; }
    public float Scale { get; init; } = 1;
    public float Smile { get; init; }
    public float MouthOpen { get; init; }
    public float EyeOpen { get; init; } = 1;
    public float BrowRaise { get; init; }
    public float Gaze { get; init; }
    public float BlurSigma { get; init; }
    public float NoiseSigma { get; init; }
    public required SynthScene Scene { get; init; }
    public ulong NoiseSeed { get; init; }

    /// <summary>
    /// Draws an image's parameters from <paramref name="r"/>; the scene comes from <paramref name="scene"/>
    /// when given (shared by a media), else from <paramref name="r"/> too.
    /// </summary>
    public static SynthImageParams Create(Random r, SynthVariation variation, SynthScene? scene = null)
    {
        (double roll, double yaw, double shift, double blur, double noise) = variation switch
        {
            SynthVariation.Frontal => (0.06, 0.08, 2.0, 0.8, 3.0),
            SynthVariation.PoseHeavy => (0.26, 0.0, 3.0, 1.0, 4.0),
            SynthVariation.Unconstrained => (0.26, 0.5, 4.0, 1.8, 7.0),
            _ => (0.14, 0.25, 3.0, 1.1, 4.5),
        };
        float yawValue = variation == SynthVariation.PoseHeavy
            ? (r.Chance(0.5) ? 1 : -1) * r.Range(0.45, 0.75)
            : r.Signed(yaw);
        bool blink = r.Chance(0.05);
        return new SynthImageParams
        {
            Roll = r.Signed(roll),
            Yaw = yawValue,
            ShiftX = r.Signed(shift),
            ShiftY = r.Signed(shift),
            Scale = r.Range(0.95, 1.05),
            Smile = r.Chance(0.4) ? r.Range(0.5, 3.5) : r.Range(-1, 0.8),
            MouthOpen = r.Chance(0.3) ? r.Range(0.6, 3.5) : 0,
            EyeOpen = blink ? r.Range(0.05, 0.25) : r.Range(0.65, 1.05),
            BrowRaise = r.Range(0, 2.2),
            Gaze = r.Signed(1.0),
            BlurSigma = r.Chance(0.5) ? r.Range(0.3, blur) : 0,
            NoiseSigma = r.Range(0.8, noise),
            Scene = scene ?? SynthScene.Create(r, variation),
            NoiseSeed = (ulong)r.NextInt64(),
        };
    }
}
