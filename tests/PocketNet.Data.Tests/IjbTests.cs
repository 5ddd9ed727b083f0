using System.Numerics;
using PocketNet.Data.Alignment;
using PocketNet.Data.Ijb;
using PocketNet.Data.Imaging;

namespace PocketNet.Data.Tests;

public class IjbTests
{
    /// <summary>A tiny IJB set: 5 faces (PNG loose crops), 3 templates, 3 pairs, landmarks given per image.</summary>
    private static string WriteSet(string root, string name = "ijbt", Action<List<string>>? editLandmarks = null,
        Action<List<string>>? editTidMid = null, Action<List<string>>? editPairs = null)
    {
        string meta = Path.Combine(root, "meta");
        string crops = Path.Combine(root, "loose_crop");
        Directory.CreateDirectory(meta);
        Directory.CreateDirectory(crops);
        var tidMid = new List<string>();
        var landmarks = new List<string>();
        int[] templates = [1, 1, 2, 3, 3];
        int[] media = [10, 11, 12, 13, 13];
        for (int i = 0; i < 5; i++)
        {
            string image = $"{i + 1}.jpg";
            ImageEncoder.Save(TestImages.Smooth(150 + 10 * i, 140, 3, i), Path.Combine(crops, image + ".png"));
            File.Move(Path.Combine(crops, image + ".png"), Path.Combine(crops, image)); // IJB names are .jpg; the decoder sniffs
            tidMid.Add($"{image} {templates[i]} {media[i]}");
            Vector2[] points = FaceAlignment.ArcFaceTemplate.ToArray().Select(p => p * 1.2f + new Vector2(10 + i, 5)).ToArray();
            landmarks.Add(IjbMetadataReader.FormatLandmarkLine(image, points, 0.9f - 0.1f * i));
        }
        var pairs = new List<string> { "1 2 0", "3 1 0", "1 1 1" };
        editLandmarks?.Invoke(landmarks);
        editTidMid?.Invoke(tidMid);
        editPairs?.Invoke(pairs);
        File.WriteAllLines(Path.Combine(meta, $"{name}_face_tid_mid.txt"), tidMid);
        File.WriteAllLines(Path.Combine(meta, $"{name}_name_5pts_score.txt"), landmarks);
        File.WriteAllLines(Path.Combine(meta, $"{name}_template_pair_label.txt"), pairs);
        return root;
    }

    [Fact]
    public void ReadsTheLayoutAndAlignsEveryFace()
    {
        using var temp = new TempDirectory();
        string root = WriteSet(Path.Combine(temp.Path, "IJBT"));
        IjbDataset set = IjbDataset.Open(root);

        Assert.Equal("ijbt", set.Name);
        Assert.False(set.IsSynthetic);
        Assert.Equal(5, set.Count);
        Assert.Equal(3, set.TemplateCount);
        Assert.Equal(4, set.MediaCount);
        Assert.Equal([1, 1, 2, 3, 3], set.TemplateIds);
        Assert.Equal([10, 11, 12, 13, 13], set.MediaIds);
        Assert.Equal(0.8f, set.DetectorScores[1], 5);
        Assert.Equal(3, set.Pairs.Count);
        Assert.Equal(1, set.Pairs.GenuineCount);
        Assert.Equal([1, 3, 1], set.Pairs.Template1);
        Assert.Equal(Path.Combine(root, "loose_crop", "4.jpg"), set.Faces[3].ImagePath);
        Assert.Equal(38.2946f * 1.2f + 13, set.Faces[3].Landmarks[0].X, 2);
        Assert.Equal(50, set.LandmarkMatrix().Length);
        Assert.Empty(set.FindMissingImages());

        // Streamed batches equal the faces aligned one by one, in order.
        int length = 3 * 112 * 112;
        var seen = new List<int>();
        foreach (ImageBatch batch in ImageBatchReader.Read(set, batchSize: 2))
        {
            for (int i = 0; i < batch.Count; i++)
            {
                float[] expected = set.AlignFace(batch.Start + i).ToModelInput();
                Assert.Equal(expected, batch.Image(i).ToArray());
                seen.Add(batch.Start + i);
            }
            Assert.Equal(batch.Count * length, batch.Span.Length);
        }
        Assert.Equal([0, 1, 2, 3, 4], seen);

        // The landmarks were the template scaled by 1.2 and shifted: the aligned crop is the image seen through that.
        Image loose = set.LoadImage(2);
        var t = SimilarityTransform.FromScaleRotationTranslation(1.2, 0, 12, 5).Inverse();
        Image expectedCrop = ImageWarp.Warp(loose, t, 112, 112);
        // (The landmark file holds 3 decimals, so the estimated transform may round a pixel the other way.)
        Assert.True(TestImages.MaxAbsDifference(expectedCrop.Pixels, set.AlignFace(2).Pixels) <= 1);
    }

    [Fact]
    public void LandmarkRowsAreJoinedByNameWhenTheOrderDiffers()
    {
        using var temp = new TempDirectory();
        string root = WriteSet(Path.Combine(temp.Path, "ijbt"), editLandmarks: rows => rows.Reverse());
        IjbDataset set = IjbDataset.Open(root);
        Assert.Equal(0.9f, set.Faces[0].DetectorScore, 5);
        Assert.Equal(0.5f, set.Faces[4].DetectorScore, 5);
    }

    [Fact]
    public void AMissingLandmarkRowNamesTheImageAndTheFile()
    {
        using var temp = new TempDirectory();
        string root = WriteSet(Path.Combine(temp.Path, "ijbt"), editLandmarks: rows => rows.RemoveAt(2));
        var e = Assert.Throws<InvalidDataException>(() => IjbDataset.Open(root));
        Assert.Contains("3.jpg", e.Message);
        Assert.Contains("ijbt_name_5pts_score.txt", e.Message);
        Assert.Contains("ijbt_face_tid_mid.txt:3", e.Message);
    }

    [Fact]
    public void MalformedLinesNameTheFileAndLine()
    {
        using var temp = new TempDirectory();
        string root = WriteSet(Path.Combine(temp.Path, "a"), editTidMid: rows => rows[3] = "4.jpg 3");
        var e = Assert.Throws<InvalidDataException>(() => IjbDataset.Open(root, "ijbt"));
        Assert.Contains("ijbt_face_tid_mid.txt:4", e.Message);

        root = WriteSet(Path.Combine(temp.Path, "b"), editLandmarks: rows => rows[1] = rows[1].Replace("0.800000", "high"));
        e = Assert.Throws<InvalidDataException>(() => IjbDataset.Open(root, "ijbt"));
        Assert.Contains("ijbt_name_5pts_score.txt:2", e.Message);
        Assert.Contains("detector score", e.Message);

        root = WriteSet(Path.Combine(temp.Path, "c"), editPairs: rows => rows.Insert(1, "1 2 7"));
        e = Assert.Throws<InvalidDataException>(() => IjbDataset.Open(root, "ijbt"));
        Assert.Contains("ijbt_template_pair_label.txt:2", e.Message);

        root = WriteSet(Path.Combine(temp.Path, "d"), editPairs: rows => rows.Add("1 99 0"));
        e = Assert.Throws<InvalidDataException>(() => IjbDataset.Open(root, "ijbt"));
        Assert.Contains("ijbt_template_pair_label.txt:4", e.Message);
        Assert.Contains("template 99", e.Message);

        Assert.Throws<FileNotFoundException>(() => IjbDataset.Open(root, "other"));
    }

    [Fact]
    public void AMissingImageIsReportedWhenRead()
    {
        using var temp = new TempDirectory();
        string root = WriteSet(Path.Combine(temp.Path, "ijbt"));
        File.Delete(Path.Combine(root, "loose_crop", "2.jpg"));
        IjbDataset set = IjbDataset.Open(root);
        Assert.Equal("2.jpg", Assert.Single(set.FindMissingImages()).ImageName);
        var e = Assert.Throws<InvalidDataException>(() => ImageBatchReader.Read(set, 4).ToList());
        Assert.Contains("2.jpg", e.Message);
    }
}
