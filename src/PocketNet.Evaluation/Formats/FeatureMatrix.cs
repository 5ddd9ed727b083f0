namespace PocketNet.Evaluation.Formats;

/// <summary>A dense float32 matrix, row-major: <c>Data[r * Columns + c]</c>.</summary>
public sealed record FeatureMatrix(int Rows, int Columns, float[] Data)
{
    public ReadOnlySpan<float> Row(int row) => Data.AsSpan(row * Columns, Columns);
}
