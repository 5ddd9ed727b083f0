using System.Numerics;
using PocketNet.Data.Imaging;

namespace PocketNet.Data.Alignment;

/// <summary>
/// ArcFace/InsightFace face alignment: the five landmarks (left eye, right eye, nose tip, left and right mouth
/// corners, as seen in the image) are mapped onto a fixed template by a least-squares similarity, and the
/// image is resampled to the 112 x 112 crop the networks take.
/// </summary>
public static class FaceAlignment
{
    /// <summary>Side of the aligned crop the template is defined for.</summary>
    public const int CropSize = 112;

    private static readonly Vector2[] Template =
    [
        new(38.2946f, 51.6963f),
        new(73.5318f, 51.5014f),
        new(56.0252f, 71.7366f),
        new(41.5493f, 92.3655f),
        new(70.7299f, 92.2041f),
    ];

    /// <summary>The ArcFace template for a 112 x 112 crop.</summary>
    public static ReadOnlySpan<Vector2> ArcFaceTemplate => Template;

    /// <summary>The similarity taking <paramref name="landmarks"/> (five points, image coordinates) onto the template.</summary>
    public static SimilarityTransform EstimateTransform(ReadOnlySpan<Vector2> landmarks)
    {
        if (landmarks.Length != Template.Length)
            throw new ArgumentException($"alignment needs {Template.Length} landmarks, got {landmarks.Length}", nameof(landmarks));
        return SimilarityTransform.Estimate(landmarks, Template);
    }

    /// <summary>The aligned 112 x 112 crop of the face whose five landmarks are given.</summary>
    public static Image Align(Image image, ReadOnlySpan<Vector2> landmarks) =>
        ImageWarp.Warp(image, EstimateTransform(landmarks), CropSize, CropSize);
}
