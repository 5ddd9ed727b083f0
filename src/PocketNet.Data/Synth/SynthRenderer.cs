using System.Numerics;
using System.Runtime.CompilerServices;
using PocketNet.Data.Alignment;
using PocketNet.Data.Imaging;

namespace PocketNet.Data.Synth;

/// <summary>
/// A small anti-aliased rasteriser for synthetic faces. A face is a stack of layers, each a signed-distance
/// shape (ellipses, capsules, lip curves, boxes, rings) with a paint; a pixel is covered by a layer in
/// proportion to clamp(0.5 - distance / pixel size), which is analytic anti-aliasing. Layers live in the
/// identity's own frame; every canvas pixel is mapped back into it through the similarity chain
/// identity → aligned template (least-squares fit of the identity's landmarks, as an aligner would) →
/// pose (roll, scale, shift) → canvas (identity for an aligned 112 crop, a random placement for an IJB loose
/// crop), so any placement renders natively without resampling. Yaw is a depth-dependent horizontal
/// warp: a layer at depth z moves by z sin(yaw) and compresses by cos(yaw), so the nose swings further
/// than the eyes and the outline. Light, blur and sensor noise are applied last. Pure function of its inputs.
/// </summary>
internal static class SynthRenderer
{
    private const float Cx = SynthIdentity.CentreX;

    // Depths of the landmark features (pixels in the aligned frame): eyes, nose tip, mouth.
    private const float EyeDepth = 12, NoseDepth = 22, MouthDepth = 12;

    private delegate float Sdf(float x, float y);

    private delegate Vector3 Paint(float x, float y);

    private sealed record Layer(Sdf Shape, Paint Paint, float Opacity, float Depth, Vector4 Bounds);

    /// <summary>
    /// Renders <paramref name="identity"/> in capture <paramref name="p"/> onto a <paramref name="width"/> x
    /// <paramref name="height"/> canvas; <paramref name="templateToCanvas"/> places the aligned 112 frame on it
    /// (identity for an aligned crop). <paramref name="landmarks"/> receives the five landmarks where they
    /// appear on the canvas.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a hot loop run once per image: skip the slow first tier
    public static Image Render(SynthIdentity identity, SynthImageParams p, SimilarityTransform templateToCanvas, int width, int height,
        out Vector2[] landmarks)
    {
        SimilarityTransform toCanvas = IdentityToTemplate(identity).Then(Pose(p)).Then(templateToCanvas);
        SimilarityTransform fromCanvas = toCanvas.Inverse();
        float sinYaw = MathF.Sin(p.Yaw), cosYaw = MathF.Cos(p.Yaw);
        landmarks = Landmarks(identity, p, toCanvas);

        Layer[] layers = BuildLayers(identity, p);
        float pixel = (float)(1 / toCanvas.Scale);
        float invCos = 1 / cosYaw, layerPixel = pixel * invCos;
        Vector4[] canvasBounds = CanvasBounds(layers, toCanvas, sinYaw, cosYaw);
        var rgb = new float[width * height * 3];
        // Background and light are attached to the aligned frame, so a loose crop is the very same scene seen
        // through another similarity: aligning it by its landmarks gives back the aligned render.
        SimilarityTransform canvasToTemplate = templateToCanvas.Inverse();
        float ca = (float)canvasToTemplate.A, cb = (float)canvasToTemplate.B, ctx = (float)canvasToTemplate.Tx, cty = (float)canvasToTemplate.Ty;
        SynthScene scene = p.Scene;
        Vector2 lightDirection = new(MathF.Cos(scene.LightAngle), MathF.Sin(scene.LightAngle));
        Vector2 backgroundDirection = new(MathF.Cos(scene.BackgroundAngle), MathF.Sin(scene.BackgroundAngle));
        float ax = (float)fromCanvas.A, bx = (float)fromCanvas.B, tx = (float)fromCanvas.Tx, ty = (float)fromCanvas.Ty;
        var active = new int[layers.Length];

        for (int y = 0; y < height; y++)
        {
            // Only the layers whose canvas bounding box meets this row are tested along it.
            int activeCount = 0;
            for (int l = 0; l < layers.Length; l++)
                if (y >= canvasBounds[l].Y && y <= canvasBounds[l].W) active[activeCount++] = l;
            for (int x = 0; x < width; x++)
            {
                float tx0 = ca * x - cb * y + ctx, ty0 = cb * x + ca * y + cty;
                Vector3 colour = Background(scene, backgroundDirection, tx0 / FaceAlignment.CropSize, ty0 / FaceAlignment.CropSize);
                // The inverse similarity: identity-frame point of this pixel (before the yaw warp).
                float ix = ax * x - bx * y + tx, iy = bx * x + ax * y + ty;
                for (int a = 0; a < activeCount; a++)
                {
                    int l = active[a];
                    if (x < canvasBounds[l].X || x > canvasBounds[l].Z) continue;
                    Layer layer = layers[l];
                    // Undo the yaw warp of this layer's depth, then test the shape.
                    float lx = Cx + (ix - Cx - layer.Depth * sinYaw) * invCos;
                    float d = layer.Shape(lx, iy);
                    float coverage = Math.Clamp(0.5f - d / layerPixel, 0f, 1f) * layer.Opacity;
                    if (coverage <= 0) continue;
                    colour = Vector3.Lerp(colour, layer.Paint(lx, iy), coverage);
                }
                Vector2 rel = new((tx0 - 56) / 56, (ty0 - 60) / 56);
                float light = scene.Brightness * MathF.Max(0.2f, 1 + scene.LightStrength * Vector2.Dot(rel, lightDirection));
                colour *= light;
                int o = (y * width + x) * 3;
                rgb[o] = colour.X;
                rgb[o + 1] = colour.Y;
                rgb[o + 2] = colour.Z;
            }
        }

        // Blur and noise are properties of the camera, so they scale with the face on the canvas.
        if (p.BlurSigma > 0) GaussianBlur(rgb, width, height, (float)(p.BlurSigma * templateToCanvas.Scale));
        var image = new Image(width, height, 3);
        var noise = new Random((int)(p.NoiseSeed & 0x7FFFFFFF));
        float[] normals = NormalTable;
        for (int i = 0; i < rgb.Length; i += 2)
        {
            // One draw of 31 bits picks two samples of the standard-normal table.
            int bits = noise.Next();
            image.Pixels[i] = ToByte(rgb[i] + p.NoiseSigma * normals[bits & 4095]);
            if (i + 1 < rgb.Length) image.Pixels[i + 1] = ToByte(rgb[i + 1] + p.NoiseSigma * normals[(bits >> 12) & 4095]);
        }
        return image;
    }

    /// <summary>4,096 standard-normal samples (fixed seed): sensor noise indexes it instead of computing logs and cosines per pixel.</summary>
    private static readonly float[] NormalTable = BuildNormalTable();

    private static float[] BuildNormalTable()
    {
        var random = new Random(20_220_427);
        var table = new float[4096];
        for (int i = 0; i < table.Length; i++) table[i] = random.Gaussian();
        return table;
    }

    private static byte ToByte(float v) => (byte)Math.Clamp((int)MathF.Round(v), 0, 255);

    /// <summary>Each layer's bounding box on the canvas (min x, min y, max x, max y), widened by two pixels for the anti-aliased edge.</summary>
    private static Vector4[] CanvasBounds(Layer[] layers, SimilarityTransform toCanvas, float sinYaw, float cosYaw)
    {
        var result = new Vector4[layers.Length];
        for (int l = 0; l < layers.Length; l++)
        {
            Vector4 b = layers[l].Bounds;
            float shift = layers[l].Depth * sinYaw;
            float x0 = Cx + (b.X - Cx) * cosYaw + shift, x1 = Cx + (b.Z - Cx) * cosYaw + shift;
            float minX = float.MaxValue, minY = float.MaxValue, maxX = float.MinValue, maxY = float.MinValue;
            foreach (var corner in (ReadOnlySpan<Vector2>)[new(x0, b.Y), new(x1, b.Y), new(x0, b.W), new(x1, b.W)])
            {
                Vector2 c = toCanvas.Apply(corner);
                minX = MathF.Min(minX, c.X); maxX = MathF.Max(maxX, c.X);
                minY = MathF.Min(minY, c.Y); maxY = MathF.Max(maxY, c.Y);
            }
            result[l] = new Vector4(minX - 2, minY - 2, maxX + 2, maxY + 2);
        }
        return result;
    }

    /// <summary>The least-squares similarity putting the identity's landmarks onto the ArcFace template.</summary>
    public static SimilarityTransform IdentityToTemplate(SynthIdentity identity) =>
        FaceAlignment.EstimateTransform(identity.Landmarks());

    /// <summary>The capture's roll, scale and shift about the face centre of the aligned frame.</summary>
    public static SimilarityTransform Pose(SynthImageParams p)
    {
        var centre = new Vector2(56, 60);
        var rotation = SimilarityTransform.FromScaleRotationTranslation(p.Scale, p.Roll, 0, 0);
        var (rx, ry) = rotation.Apply(centre.X, centre.Y);
        return rotation with { Tx = centre.X + p.ShiftX - rx, Ty = centre.Y + p.ShiftY - ry };
    }

    /// <summary>Where the five landmarks appear after yaw and the similarity chain.</summary>
    public static Vector2[] Landmarks(SynthIdentity identity, SynthImageParams p, SimilarityTransform identityToCanvas)
    {
        Vector2[] points = identity.Landmarks();
        float[] depth = [EyeDepth, EyeDepth, NoseDepth, MouthDepth, MouthDepth];
        float sin = MathF.Sin(p.Yaw), cos = MathF.Cos(p.Yaw);
        var result = new Vector2[5];
        for (int k = 0; k < 5; k++)
        {
            var warped = new Vector2(Cx + (points[k].X - Cx) * cos + depth[k] * sin, points[k].Y);
            result[k] = identityToCanvas.Apply(warped);
        }
        return result;
    }

    private static Vector3 Background(SynthScene scene, Vector2 direction, float u, float v)
    {
        float t = Math.Clamp(0.5f + 0.7f * ((u - 0.5f) * direction.X + (v - 0.5f) * direction.Y), 0, 1);
        Vector3 colour = Vector3.Lerp(scene.Background1, scene.Background2, t);
        for (int i = 0; i < scene.Blobs.Length; i++)
        {
            Vector4 blob = scene.Blobs[i];
            float dx = u - blob.X, dy = v - blob.Y;
            float w = blob.W * MathF.Max(0, 1 - (dx * dx + dy * dy) / (blob.Z * blob.Z));
            colour = Vector3.Lerp(colour, scene.BlobColours[i], w);
        }
        return colour;
    }

    // ---- the face ------------------------------------------------------------------------------

    private static Layer[] BuildLayers(SynthIdentity id, SynthImageParams p)
    {
        var layers = new List<Layer>(40);
        Vector2[] lm = id.Landmarks();
        Vector3 skin = id.Skin, hair = id.Hair;
        float fcy = id.FaceCentreY, rx = id.FaceRx, ry = id.FaceRy, jaw = rx * id.JawFactor;
        float eyeY = (lm[0].Y + lm[1].Y) / 2;
        float hairRx = rx + 2 + id.HairVolume * 0.5f, hairRy = ry * 0.98f + id.HairVolume;
        float hairCy = fcy - ry * 0.1f;
        Paint hairPaint = (x, y) => hair * (1 + 0.06f * MathF.Sin(x * 1.3f + y * 0.35f + id.HairPhase) + 0.03f * MathF.Sin(y * 2.1f - x * 0.4f));

        // Behind the head: long hair, clothes, neck, ears.
        if (id.HairStyle == HairStyle.Long)
        {
            float limit = fcy + ry * 0.95f;
            layers.Add(Make((x, y) => MathF.Max(Ellipse(x, y, Cx, fcy + 6, rx + 9 + id.HairVolume, ry + 12), y - limit), hairPaint, 1, 0,
                Cx - rx - 10 - id.HairVolume, fcy - ry - 20, Cx + rx + 10 + id.HairVolume, limit));
        }
        float clothesY = fcy + ry + 40;
        layers.Add(Make((x, y) => Ellipse(x, y, Cx, clothesY, 64, 38), Solid(p.Scene.Clothes), 1, -6, Cx - 64, clothesY - 38, Cx + 64, clothesY + 38));
        float neckTop = fcy + ry * 0.55f, neckBottom = fcy + ry + 30, neckHalf = rx * 0.5f;
        layers.Add(Make((x, y) => Box(x, y, Cx, (neckTop + neckBottom) / 2, neckHalf, (neckBottom - neckTop) / 2, 0, 4),
            Solid(skin * 0.8f), 1, -3, Cx - neckHalf, neckTop, Cx + neckHalf, neckBottom));
        float earRx = 5.5f * id.EarSize, earRy = 11 * id.EarSize, earY = eyeY + 10;
        foreach (float side in (ReadOnlySpan<float>)[-1f, 1f])
        {
            float ex = Cx + side * rx * 0.96f;
            layers.Add(Make((x, y) => Ellipse(x, y, ex, earY, earRx, earRy), Solid(skin * 0.9f), 1, -10,
                ex - earRx, earY - earRy, ex + earRx, earY + earRy));
        }

        // The head, with a rounded shading that darkens towards the outline.
        layers.Add(Make((x, y) => Jaw(x, y, Cx, fcy, rx, jaw, ry), (x, y) =>
        {
            float nx = (x - Cx) / rx, ny = (y - fcy) / ry;
            float r2 = nx * nx + ny * ny;
            return skin * (1.04f - 0.22f * r2 * r2);
        }, 1, 0, Cx - rx, fcy - ry, Cx + rx, fcy + ry));

        float mouthY = (lm[3].Y + lm[4].Y) / 2;
        if (id.FacialHair == FacialHair.Beard)
            layers.Add(Make((x, y) => MathF.Max(Jaw(x, y, Cx, fcy, rx - 1.5f, jaw - 1.5f, ry - 1), mouthY - 8 - y), hairPaint,
                id.FacialHairDensity, 4, Cx - rx, mouthY - 8, Cx + rx, fcy + ry));

        // Wrinkle-like lines: forehead, nasolabial folds, crow's feet.
        if (id.Wrinkles > 0.02f)
        {
            Paint crease = Solid(skin * 0.62f);
            float op = 0.55f * id.Wrinkles;
            float browY = eyeY - id.BrowGap;
            for (int k = 1; k <= 3; k++)
            {
                float ly = browY - 6 - 4.5f * k;
                layers.Add(Make((x, y) => MathF.Max(MathF.Abs(y - (ly + 0.01f * (x - Cx) * (x - Cx))) - 0.45f, MathF.Abs(x - Cx) - 14), crease, op, 6,
                    Cx - 15, ly - 2, Cx + 15, ly + 4));
            }
            foreach (float side in (ReadOnlySpan<float>)[-1f, 1f])
            {
                Vector2 a = new(lm[2].X + side * id.NoseWidth * 0.6f, lm[2].Y - 1), b = new(side < 0 ? lm[3].X - 2 : lm[4].X + 2, lm[3].Y + 3);
                layers.Add(Make((x, y) => Segment(x, y, a, b) - 0.5f, crease, op, 10, MathF.Min(a.X, b.X) - 1, a.Y - 1, MathF.Max(a.X, b.X) + 1, b.Y + 1));
                Vector2 eye = side < 0 ? lm[0] : lm[1];
                Vector2 c = new(eye.X + side * (id.EyeWidth + 2), eye.Y + 1), d = new(eye.X + side * (id.EyeWidth + 6), eye.Y + 3);
                layers.Add(Make((x, y) => Segment(x, y, c, d) - 0.4f, crease, op, 10, MathF.Min(c.X, d.X) - 1, c.Y - 1, MathF.Max(c.X, d.X) + 1, d.Y + 1));
            }
        }

        // Eyes: socket shadow, sclera, iris, pupil, upper lid.
        float open = Math.Clamp(p.EyeOpen, 0.05f, 1.1f);
        for (int k = 0; k < 2; k++)
        {
            Vector2 e = lm[k];
            float ew = id.EyeWidth, eh = MathF.Max(0.25f, id.EyeHeight * open);
            layers.Add(Make((x, y) => Ellipse(x, y, e.X, e.Y - 0.5f, ew + 3, id.EyeHeight + 3.5f), Solid(skin * 0.86f), 0.45f, EyeDepth - 1,
                e.X - ew - 3, e.Y - id.EyeHeight - 4, e.X + ew + 3, e.Y + id.EyeHeight + 3));
            Sdf sclera = (x, y) => Ellipse(x, y, e.X, e.Y, ew, eh);
            layers.Add(Make(sclera, Solid(new Vector3(236, 232, 226)), 1, EyeDepth, e.X - ew, e.Y - eh, e.X + ew, e.Y + eh));
            float ix = e.X + p.Gaze, ir = id.IrisRadius;
            layers.Add(Make((x, y) => MathF.Max(Circle(x, y, ix, e.Y, ir), sclera(x, y)), Solid(id.Iris), 1, EyeDepth,
                ix - ir, e.Y - ir, ix + ir, e.Y + ir));
            layers.Add(Make((x, y) => MathF.Max(Circle(x, y, ix, e.Y, ir * 0.42f), sclera(x, y)), Solid(new Vector3(18, 14, 14)), 1, EyeDepth,
                ix - ir, e.Y - ir, ix + ir, e.Y + ir));
            layers.Add(Make((x, y) => MathF.Max(MathF.Abs(sclera(x, y)) - 0.6f, y - e.Y - 0.3f), Solid(skin * 0.3f), 0.9f, EyeDepth,
                e.X - ew - 1, e.Y - eh - 1, e.X + ew + 1, e.Y + 1));
        }

        // Brows: arched, tapering strokes, lifted by the expression.
        for (int k = 0; k < 2; k++)
        {
            float side = k == 0 ? -1 : 1;
            Vector2 e = lm[k];
            float bx = e.X + side * 1.5f, by = e.Y - id.BrowGap - p.BrowRaise, half = id.BrowWidth / 2;
            float thickness = id.BrowThickness, arch = id.BrowArch, slope = id.BrowSlope * side;
            layers.Add(Make((x, y) =>
            {
                float t = (x - bx) / half;
                float centre = by + arch * t * t - slope * (x - bx);
                float th = thickness * (1 - 0.35f * MathF.Max(0, t * side));
                return MathF.Max(MathF.Abs(y - centre) - th / 2, MathF.Abs(x - bx) - half);
            }, Solid(hair * 0.75f), 0.95f, EyeDepth + 1, bx - half, by - thickness - 2, bx + half, by + arch + thickness + 4));
        }

        // Nose: bridge shade, tip highlight, wings, nostrils.
        Vector2 nose = lm[2];
        float nw = id.NoseWidth;
        var bridgeTop = new Vector2(Cx, eyeY + 3);
        var bridgeBottom = new Vector2(nose.X, nose.Y - 3);
        layers.Add(Make((x, y) => Segment(x, y, bridgeTop, bridgeBottom) - nw * 0.22f, Solid(skin * 0.9f), 0.35f, NoseDepth - 6,
            Cx - nw, bridgeTop.Y - nw, Cx + nw, bridgeBottom.Y + nw));
        foreach (float side in (ReadOnlySpan<float>)[-1f, 1f])
        {
            float wx = nose.X + side * nw * 0.42f;
            layers.Add(Make((x, y) => Ellipse(x, y, wx, nose.Y + 0.5f, nw * 0.22f, 2.8f), Solid(skin * 0.84f), 0.55f, NoseDepth - 4,
                wx - nw * 0.22f, nose.Y - 2.5f, wx + nw * 0.22f, nose.Y + 3.5f));
        }
        layers.Add(Make((x, y) => Ellipse(x, y, nose.X, nose.Y - 1, nw * 0.3f, 3.2f), Solid(skin * 1.07f), 0.5f, NoseDepth,
            nose.X - nw * 0.3f, nose.Y - 4.2f, nose.X + nw * 0.3f, nose.Y + 2.2f));
        foreach (float side in (ReadOnlySpan<float>)[-1f, 1f])
        {
            float nx = nose.X + side * nw * 0.24f;
            layers.Add(Make((x, y) => Ellipse(x, y, nx, nose.Y + 2, 1.5f, 0.95f), Solid(skin * 0.42f), 0.85f, NoseDepth - 2,
                nx - 1.5f, nose.Y + 1, nx + 1.5f, nose.Y + 3));
        }

        // Mouth: lips between curves through the two corners, opening and smile from the expression.
        Vector2 left = lm[3], right = lm[4];
        Vector2 mc = (left + right) / 2;
        float halfWidth = Vector2.Distance(left, right) / 2;
        float angle = MathF.Atan2(right.Y - left.Y, right.X - left.X);
        float ca = MathF.Cos(angle), sa = MathF.Sin(angle);
        float smile = p.Smile, opening = p.MouthOpen, upper = id.UpperLip, lower = id.LowerLip;
        float mBounds = halfWidth + 2, mTop = upper + 5, mBottom = lower + opening + smile + 4;
        if (id.FacialHair == FacialHair.Moustache)
            layers.Add(Make((x, y) =>
            {
                var (u, v) = ToLocal(x, y, mc, ca, sa);
                float t = u / (halfWidth + 2), bell = MathF.Max(0, 1 - t * t);
                float bottom = smile * bell - opening / 2 * bell - upper * MathF.Sqrt(bell) - 0.3f;
                return MathF.Max(MathF.Max(v - bottom, bottom - 4.5f - v), MathF.Abs(u) - halfWidth - 2);
            }, hairPaint, id.FacialHairDensity, MouthDepth + 1, mc.X - mBounds - 2, mc.Y - mTop - 6, mc.X + mBounds + 2, mc.Y + 2));
        Sdf Band(float from, float to) => (x, y) =>
        {
            var (u, v) = ToLocal(x, y, mc, ca, sa);
            float t = u / halfWidth, bell = MathF.Max(0, 1 - t * t), root = MathF.Sqrt(bell);
            float centre = smile * bell;
            float top = centre + Edge(from, bell, root, opening, upper, lower), bottom = centre + Edge(to, bell, root, opening, upper, lower);
            return MathF.Max(MathF.Max(top - v, v - bottom), MathF.Abs(u) - halfWidth);
        };
        if (opening > 0.05f)
            layers.Add(Make(Band(-1, 1), Solid(new Vector3(58, 22, 26)), 1, MouthDepth, mc.X - mBounds, mc.Y - mTop, mc.X + mBounds, mc.Y + mBottom));
        layers.Add(Make(Band(-2, -1), Solid(id.Lips * 0.92f), 1, MouthDepth, mc.X - mBounds, mc.Y - mTop, mc.X + mBounds, mc.Y + mBottom));
        layers.Add(Make(Band(1, 2), Solid(id.Lips), 1, MouthDepth, mc.X - mBounds, mc.Y - mTop, mc.X + mBounds, mc.Y + mBottom));

        // Hair in front: a cap over the head, cut by the hairline (lowered by a fringe, tilted by a parting).
        {
            float top = fcy - ry * id.Hairline;
            bool fringe = id.HairStyle == HairStyle.Fringe;
            float tilt = id.HairStyle == HairStyle.SidePart ? id.HairTilt * 2.5f : id.HairTilt;
            float opacity = id.HairStyle == HairStyle.Shaved ? 0.35f : 1;
            layers.Add(Make((x, y) =>
            {
                float nx = (x - Cx) / rx;
                float hairline = top + ry * 0.36f * nx * nx + tilt * (x - Cx);
                if (fringe) hairline += 6 + 1.6f * MathF.Sin(x * 0.55f + id.HairPhase);
                return MathF.Max(Ellipse(x, y, Cx, hairCy, hairRx, hairRy), y - hairline);
            }, hairPaint, opacity, 3, Cx - hairRx, hairCy - hairRy, Cx + hairRx, fcy + 4));
        }

        AddOccluder(layers, id, p.Scene, lm);
        return layers.ToArray();
    }

    /// <summary>Offsets of the lip curves: -2 top of upper lip, -1 lip line above the opening, 1 below it, 2 bottom of lower lip.</summary>
    private static float Edge(float which, float bell, float root, float opening, float upper, float lower) => which switch
    {
        -2 => -opening / 2 * bell - upper * root,
        -1 => -opening / 2 * bell,
        1 => opening / 2 * bell,
        _ => opening / 2 * bell + lower * root,
    };

    private static void AddOccluder(List<Layer> layers, SynthIdentity id, SynthScene scene, Vector2[] lm)
    {
        switch (scene.Occlusion)
        {
            case OcclusionKind.Glasses:
            case OcclusionKind.Sunglasses:
            {
                bool sun = scene.Occlusion == OcclusionKind.Sunglasses;
                Vector3 frame = scene.OccluderColour;
                float grx = id.EyeWidth + 4.5f, gry = id.EyeHeight + 4.2f;
                for (int k = 0; k < 2; k++)
                {
                    Vector2 e = lm[k];
                    Sdf lens = (x, y) => Ellipse(x, y, e.X, e.Y + 0.5f, grx, gry);
                    if (sun) layers.Add(Make(lens, Solid(frame * 0.35f), 0.93f, EyeDepth + 3, e.X - grx, e.Y - gry, e.X + grx, e.Y + gry + 1));
                    else layers.Add(Make(lens, Solid(new Vector3(200, 215, 230)), 0.12f, EyeDepth + 3, e.X - grx, e.Y - gry, e.X + grx, e.Y + gry + 1));
                    layers.Add(Make((x, y) => MathF.Abs(lens(x, y)) - 0.75f, Solid(frame), 1, EyeDepth + 3,
                        e.X - grx - 1, e.Y - gry - 1, e.X + grx + 1, e.Y + gry + 2));
                }
                var a = new Vector2(lm[0].X + grx, lm[0].Y - 1);
                var b = new Vector2(lm[1].X - grx, lm[1].Y - 1);
                layers.Add(Make((x, y) => Segment(x, y, a, b) - 0.8f, Solid(frame), 1, EyeDepth + 4, a.X - 1, a.Y - 2, b.X + 1, b.Y + 2));
                break;
            }
            case OcclusionKind.Rectangle:
            {
                Vector4 box = scene.OccluderBox;
                Vector3 colour = scene.OccluderColour;
                float reach = MathF.Sqrt(box.Z * box.Z + box.W * box.W) + 1;
                layers.Add(Make((x, y) => Box(x, y, box.X, box.Y, box.Z, box.W, scene.OccluderAngle, 2),
                    (x, y) => colour * (1 + 0.08f * MathF.Sin((x + y) * 0.9f)), 1, 26,
                    box.X - reach, box.Y - reach, box.X + reach, box.Y + reach));
                break;
            }
        }
    }

    private static Layer Make(Sdf shape, Paint paint, float opacity, float depth, float x0, float y0, float x1, float y1) =>
        new(shape, paint, opacity, depth, new Vector4(x0, y0, x1, y1));

    private static Paint Solid(Vector3 colour) => (_, _) => colour;

    // ---- signed distances (negative inside) ----------------------------------------------------

    /// <summary>An ellipse's signed distance, by the gradient-normalised implicit function (exact on the outline).</summary>
    private static float Ellipse(float x, float y, float cx, float cy, float a, float b)
    {
        float px = (x - cx) / a, py = (y - cy) / b;
        float k0 = MathF.Sqrt(px * px + py * py);
        float gx = px / a, gy = py / b;
        float k1 = MathF.Sqrt(gx * gx + gy * gy);
        return k1 < 1e-6f ? -MathF.Min(a, b) : k0 * (k0 - 1) / k1;
    }

    /// <summary>A face outline: an ellipse whose lower half is narrower (<paramref name="jawRx"/>).</summary>
    private static float Jaw(float x, float y, float cx, float cy, float rx, float jawRx, float ry) =>
        Ellipse(x, y, cx, cy, y > cy ? jawRx + (rx - jawRx) * MathF.Max(0, 1 - (y - cy) / ry * 2.2f) : rx, ry);

    private static float Circle(float x, float y, float cx, float cy, float r) => MathF.Sqrt((x - cx) * (x - cx) + (y - cy) * (y - cy)) - r;

    private static float Segment(float x, float y, Vector2 a, Vector2 b)
    {
        Vector2 pa = new Vector2(x, y) - a, ba = b - a;
        float h = Math.Clamp(Vector2.Dot(pa, ba) / MathF.Max(1e-6f, ba.LengthSquared()), 0, 1);
        return (pa - ba * h).Length();
    }

    /// <summary>A rotated box with rounded corners of <paramref name="radius"/>.</summary>
    private static float Box(float x, float y, float cx, float cy, float hx, float hy, float angle, float radius)
    {
        float c = MathF.Cos(angle), s = MathF.Sin(angle);
        float dx = x - cx, dy = y - cy;
        float u = MathF.Abs(c * dx + s * dy) - (hx - radius), v = MathF.Abs(-s * dx + c * dy) - (hy - radius);
        float outside = MathF.Sqrt(MathF.Max(u, 0) * MathF.Max(u, 0) + MathF.Max(v, 0) * MathF.Max(v, 0));
        return outside + MathF.Min(MathF.Max(u, v), 0) - radius;
    }

    private static (float U, float V) ToLocal(float x, float y, Vector2 origin, float cos, float sin)
    {
        float dx = x - origin.X, dy = y - origin.Y;
        return (cos * dx + sin * dy, -sin * dx + cos * dy);
    }

    // ---- optics ---------------------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GaussianBlur(float[] rgb, int width, int height, float sigma)
    {
        int radius = Math.Max(1, (int)MathF.Ceiling(sigma * 2.5f));
        var kernel = new float[2 * radius + 1];
        float sum = 0;
        for (int i = -radius; i <= radius; i++) sum += kernel[i + radius] = MathF.Exp(-i * i / (2 * sigma * sigma));
        for (int i = 0; i < kernel.Length; i++) kernel[i] /= sum;
        var temp = new float[rgb.Length];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                for (int c = 0; c < 3; c++)
                {
                    float acc = 0;
                    for (int k = -radius; k <= radius; k++)
                        acc += kernel[k + radius] * rgb[(y * width + Math.Clamp(x + k, 0, width - 1)) * 3 + c];
                    temp[(y * width + x) * 3 + c] = acc;
                }
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                for (int c = 0; c < 3; c++)
                {
                    float acc = 0;
                    for (int k = -radius; k <= radius; k++)
                        acc += kernel[k + radius] * temp[(Math.Clamp(y + k, 0, height - 1) * width + x) * 3 + c];
                    rgb[(y * width + x) * 3 + c] = acc;
                }
    }
}
