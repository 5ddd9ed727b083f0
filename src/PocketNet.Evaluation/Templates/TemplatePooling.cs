using System.Numerics.Tensors;

namespace PocketNet.Evaluation.Templates;

/// <summary>
/// Image features to template features as IJB-B/C 1:1 prescribes (eval_ijbc.py, image2template_feature):
/// <list type="number">
/// <item>image feature = emb(image) + emb(flipped image) (pass both, or their sum);</item>
/// <item>optionally L2-normalised (<see cref="IjbPoolingOptions.NormalizeImageFeatures"/>, off in the reference);</item>
/// <item>multiplied by the face detector score when scores are given (the reference's use_detector_score);</item>
/// <item>media pooling: mean of the features of one media (video or photo) within a template;</item>
/// <item>template = sum of its media features, L2-normalised.</item>
/// </list>
/// Arithmetic is done in double (the reference mixes float32 image features with a float64 template array);
/// the result is stored as float32.
/// </summary>
public static class TemplatePooling
{
    /// <summary>
    /// Pools <paramref name="imageFeatures"/> (row-major, one row of <paramref name="dimension"/> values per image)
    /// into templates. <paramref name="templateIds"/> and <paramref name="mediaIds"/> give each image's template
    /// and media (<c>&lt;name&gt;_face_tid_mid.txt</c>); <paramref name="detectorScores"/>, when given, weights each
    /// image (last column of <c>&lt;name&gt;_name_5pts_score.txt</c>); <paramref name="flippedFeatures"/>, when
    /// given, holds emb(flipped image) rows that are added to <paramref name="imageFeatures"/>.
    /// </summary>
    public static TemplateFeatures Pool(
        float[] imageFeatures,
        int dimension,
        int[] templateIds,
        int[] mediaIds,
        float[]? detectorScores = null,
        IjbPoolingOptions? options = null,
        float[]? flippedFeatures = null)
    {
        ArgumentNullException.ThrowIfNull(imageFeatures);
        ArgumentNullException.ThrowIfNull(templateIds);
        ArgumentNullException.ThrowIfNull(mediaIds);
        options ??= IjbPoolingOptions.Reference;
        if (dimension <= 0) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "must be positive");
        int images = templateIds.Length;
        if ((long)images * dimension != imageFeatures.Length)
            throw new ArgumentException($"{imageFeatures.Length} feature values are not {images} images of {dimension}");
        if (mediaIds.Length != images)
            throw new ArgumentException($"{mediaIds.Length} media ids for {images} images");
        if (detectorScores is not null && detectorScores.Length != images)
            throw new ArgumentException($"{detectorScores.Length} detector scores for {images} images");
        if (flippedFeatures is not null && flippedFeatures.Length != imageFeatures.Length)
            throw new ArgumentException($"{flippedFeatures.Length} flipped feature values for {imageFeatures.Length} feature values");

        // Group images by (template, media): one sort of packed keys; templates come out in ascending id order.
        var keys = new long[images];
        var order = new int[images];
        for (int i = 0; i < images; i++)
        {
            keys[i] = ((long)templateIds[i] << 32) | (uint)mediaIds[i];
            order[i] = i;
        }
        Array.Sort(keys, order);

        var starts = new List<int>();
        for (int i = 0; i < images; i++)
            if (i == 0 || keys[i] >> 32 != keys[i - 1] >> 32) starts.Add(i);
        starts.Add(images);
        int templates = starts.Count - 1;

        var ids = new int[templates];
        var pooled = new float[(long)templates * dimension];
        Parallel.For(0, templates,
            () => (Template: new double[dimension], Media: new double[dimension], Image: new double[dimension]),
            (t, _, buffers) =>
            {
                int start = starts[t], end = starts[t + 1];
                ids[t] = (int)(keys[start] >> 32);
                Array.Clear(buffers.Template);
                int mediaStart = start;
                while (mediaStart < end)
                {
                    int mediaEnd = mediaStart + 1;
                    while (mediaEnd < end && keys[mediaEnd] == keys[mediaStart]) mediaEnd++;
                    Array.Clear(buffers.Media);
                    for (int j = mediaStart; j < mediaEnd; j++)
                    {
                        ImageFeature(order[j], buffers.Image);
                        for (int k = 0; k < dimension; k++) buffers.Media[k] += buffers.Image[k];
                    }
                    int count = mediaEnd - mediaStart;
                    for (int k = 0; k < dimension; k++) buffers.Template[k] += buffers.Media[k] / count;
                    mediaStart = mediaEnd;
                }

                double sum = 0;
                foreach (double v in buffers.Template) sum += v * v;
                double norm = Math.Sqrt(sum);
                if (norm == 0) norm = 1; // sklearn's normalize leaves an all-zero row as it is
                var row = pooled.AsSpan(t * dimension, dimension);
                for (int k = 0; k < dimension; k++) row[k] = (float)(buffers.Template[k] / norm);
                return buffers;
            },
            _ => { });

        return new TemplateFeatures(ids, pooled, dimension, normalize: false);

        void ImageFeature(int image, double[] destination)
        {
            var feature = imageFeatures.AsSpan(image * dimension, dimension);
            for (int k = 0; k < dimension; k++) destination[k] = feature[k];
            if (flippedFeatures is not null)
            {
                var flipped = flippedFeatures.AsSpan(image * dimension, dimension);
                for (int k = 0; k < dimension; k++) destination[k] += flipped[k];
            }
            double scale = 1;
            if (options.NormalizeImageFeatures)
            {
                double sum = 0;
                foreach (double v in destination) sum += v * v;
                scale = sum > 0 ? 1 / Math.Sqrt(sum) : 1; // the reference would make NaN of a zero feature; keep it zero
            }
            if (detectorScores is not null) scale *= detectorScores[image];
            if (scale != 1)
                for (int k = 0; k < dimension; k++) destination[k] *= scale;
        }
    }

    /// <summary>emb(image) + emb(flipped image), row by row, into a new array.</summary>
    public static float[] AddFlipped(float[] features, float[] flippedFeatures)
    {
        if (features.Length != flippedFeatures.Length)
            throw new ArgumentException($"{features.Length} feature values but {flippedFeatures.Length} flipped values");
        var sum = new float[features.Length];
        TensorPrimitives.Add(features, flippedFeatures, sum);
        return sum;
    }
}
