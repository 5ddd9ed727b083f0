using System.Numerics;

namespace PocketNet.Data.Synth;

/// <summary>Hair styles the renderer knows.</summary>
internal enum HairStyle
{
    Short,
    Long,
    Fringe,
    SidePart,
    Shaved,
}

/// <summary>Facial hair of an identity.</summary>
internal enum FacialHair
{
    None,
    Moustache,
    Beard,
}

/// <summary>
/// What makes a synthetic person recognisable: face shape, feature geometry around the ArcFace landmark
/// positions, and colouring. Coordinates are in the 112 x 112 aligned frame, before the per-identity
/// normalising similarity (<see cref="SynthRenderer"/> maps the identity's five landmarks onto the template
/// by least squares, as a real aligner would). Fixed for an identity; <see cref="Drift"/> ages it a little.
/// </summary>
internal sealed record SynthIdentity
{
    public const float CentreX = 56f;

    // face outline
    public float FaceCentreY { get; init; }
    public float FaceRx { get; init; }
    public float FaceRy { get; init; }
    public float JawFactor { get; init; }

    // features (landmark offsets from the template, in pixels)
    public float EyeSpread { get; init; }
    public float EyeDy { get; init; }
    public float EyeWidth { get; init; }
    public float EyeHeight { get; init; }
    public float IrisRadius { get; init; }
    public float BrowGap { get; init; }
    public float BrowThickness { get; init; }
    public float BrowWidth { get; init; }
    public float BrowSlope { get; init; }
    public float BrowArch { get; init; }
    public float NoseDy { get; init; }
    public float NoseWidth { get; init; }
    public float MouthSpread { get; init; }
    public float MouthDy { get; init; }
    public float UpperLip { get; init; }
    public float LowerLip { get; init; }
    public float EarSize { get; init; }

    // appearance
    public Vector3 Skin { get; init; }
    public Vector3 Hair { get; init; }
    public Vector3 Iris { get; init; }
    public Vector3 Lips { get; init; }
    public HairStyle HairStyle { get; init; }
    public float HairVolume { get; init; }
    public float Hairline { get; init; }
    public float HairTilt { get; init; }
    public float HairPhase { get; init; }
    public FacialHair FacialHair { get; init; }
    public float FacialHairDensity { get; init; }
    public float Wrinkles { get; init; }

    /// <summary>Identity <paramref name="id"/> of the generation seeded by <paramref name="seed"/>.</summary>
    public static SynthIdentity Create(ulong seed, long id)
    {
        Random r = SynthSeed.Random(seed, SynthSeed.IdentityPurpose, id);
        float lightness = r.Range(0.05, 1.0);
        Vector3 skin = Vector3.Lerp(new Vector3(88, 58, 42), new Vector3(246, 214, 190), lightness)
                       + new Vector3(r.Signed(10), r.Signed(8), r.Signed(8));
        Vector3 hair = PickHair(r);
        return new SynthIdentity
        {
            FaceCentreY = 62 + r.Signed(3),
            FaceRx = r.Range(33, 42),
            FaceRy = r.Range(46, 56),
            JawFactor = r.Range(0.72, 0.97),
            EyeSpread = r.Signed(2.8),
            EyeDy = r.Signed(2.2),
            EyeWidth = r.Range(5.2, 7.8),
            EyeHeight = r.Range(2.3, 3.8),
            IrisRadius = r.Range(1.9, 2.7),
            BrowGap = r.Range(6.5, 10.5),
            BrowThickness = r.Range(1.4, 3.8),
            BrowWidth = r.Range(13, 19),
            BrowSlope = r.Signed(0.12),
            BrowArch = r.Range(0.5, 3.0),
            NoseDy = r.Signed(3.5),
            NoseWidth = r.Range(7, 12.5),
            MouthSpread = r.Signed(3.5),
            MouthDy = r.Signed(2.5),
            UpperLip = r.Range(1.6, 3.6),
            LowerLip = r.Range(2.2, 4.8),
            EarSize = r.Range(0.8, 1.25),
            Skin = Vector3.Clamp(skin, Vector3.Zero, new Vector3(255)),
            Hair = hair,
            Iris = PickIris(r),
            Lips = Vector3.Clamp(skin * new Vector3(0.80f, 0.55f, 0.58f) + new Vector3(r.Range(20, 45), r.Range(0, 12), r.Range(5, 18)), Vector3.Zero, new Vector3(255)),
            HairStyle = (HairStyle)Pick(r, [0.34, 0.22, 0.18, 0.16, 0.10]),
            HairVolume = r.Range(1, 9),
            Hairline = r.Range(0.50, 0.72),
            HairTilt = r.Signed(0.12),
            HairPhase = r.Range(0, 6.2832),
            FacialHair = (FacialHair)Pick(r, [0.62, 0.2, 0.18]),
            FacialHairDensity = r.Range(0.35, 0.9),
            Wrinkles = r.Chance(0.3) ? r.Range(0.1, 0.6) : 0,
        };
    }

    /// <summary>
    /// The same person some years on (AgeDB-style pairs): skin tone and hair colour shift, hair greys and
    /// recedes, wrinkle lines deepen, the face lengthens a little. Geometry of the features stays.
    /// </summary>
    public SynthIdentity Drift(ulong seed, long id, long variant)
    {
        Random r = SynthSeed.Random(seed, SynthSeed.DriftPurpose, id, variant);
        float grey = r.Range(0.15, 0.55);
        return this with
        {
            Skin = Vector3.Clamp(Skin * r.Range(0.93, 1.05) + new Vector3(r.Signed(6), r.Signed(6), r.Signed(6)), Vector3.Zero, new Vector3(255)),
            Hair = Vector3.Lerp(Hair, new Vector3(175, 172, 168), grey),
            Hairline = Hairline - r.Range(0.02, 0.09),
            HairVolume = MathF.Max(0.5f, HairVolume - r.Range(0, 2.5)),
            Wrinkles = MathF.Min(1, Wrinkles + r.Range(0.3, 0.6)),
            FaceRy = FaceRy + r.Range(0.3, 1.8),
            JawFactor = MathF.Min(0.99f, JawFactor + r.Range(0, 0.04)),
            BrowThickness = BrowThickness * r.Range(0.85, 1.1),
        };
    }

    /// <summary>The identity's five landmarks (eyes, nose tip, mouth corners) in its own frame, before normalisation.</summary>
    public Vector2[] Landmarks() =>
    [
        new(38.2946f - EyeSpread, 51.6963f + EyeDy),
        new(73.5318f + EyeSpread, 51.5014f + EyeDy),
        new(56.0252f, 71.7366f + NoseDy),
        new(41.5493f - MouthSpread, 92.3655f + MouthDy),
        new(70.7299f + MouthSpread, 92.2041f + MouthDy),
    ];

    private static Vector3 PickHair(Random r)
    {
        Vector3[] palette =
        [
            new(22, 18, 16), new(48, 34, 26), new(92, 62, 38), new(140, 98, 58), new(196, 160, 98),
            new(150, 68, 34), new(120, 118, 116), new(215, 212, 205),
        ];
        int i = Pick(r, [0.26, 0.2, 0.16, 0.1, 0.1, 0.06, 0.07, 0.05]);
        return Vector3.Clamp(palette[i] * r.Range(0.85, 1.15), Vector3.Zero, new Vector3(255));
    }

    private static Vector3 PickIris(Random r)
    {
        Vector3[] palette = [new(84, 52, 30), new(40, 26, 20), new(70, 110, 160), new(80, 120, 80), new(120, 100, 52), new(110, 120, 130)];
        return palette[Pick(r, [0.35, 0.25, 0.14, 0.1, 0.1, 0.06])] * r.Range(0.85, 1.15);
    }

    private static int Pick(Random r, ReadOnlySpan<double> weights)
    {
        double u = r.NextDouble(), sum = 0;
        for (int i = 0; i < weights.Length; i++)
        {
            sum += weights[i];
            if (u < sum) return i;
        }
        return weights.Length - 1;
    }
}
