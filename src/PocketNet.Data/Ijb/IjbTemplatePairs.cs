namespace PocketNet.Data.Ijb;

/// <summary>
/// The 1:1 template pairs of an IJB set (<c>&lt;name&gt;_template_pair_label.txt</c>), column-wise because IJB-C has
/// 15,658,489 of them: pair i compares <see cref="Template1"/>[i] with <see cref="Template2"/>[i], genuine
/// (same subject) when <see cref="IsGenuine"/>[i].
/// </summary>
public sealed record IjbTemplatePairs(int[] Template1, int[] Template2, bool[] IsGenuine)
{
    public int Count => Template1.Length;

    public int GenuineCount => IsGenuine.Count(g => g);

    public int ImpostorCount => Count - GenuineCount;
}
