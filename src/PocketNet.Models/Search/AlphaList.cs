using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.Search;

/// <summary>
/// The architecture parameters of one cell type (the reference's nn.ParameterList): per intermediate
/// node i a [i + 2, 8] tensor, one row per incoming edge, one column per primitive. Keys "0", "1", ...
/// </summary>
public sealed class AlphaList : Module
{
    private readonly int _count;

    /// <summary>Creates the parameters from <paramref name="initial"/> (taking ownership of them).</summary>
    public AlphaList(IEnumerable<Tensor> initial)
    {
        foreach (Tensor alpha in initial) RegisterParameter((_count++).ToString(System.Globalization.CultureInfo.InvariantCulture), alpha);
    }

    public int Count => _count;

    /// <summary>The parameters in node order (looked up each time, so they stay right after a move to a device).</summary>
    public IReadOnlyList<Tensor> Items => Parameters().ToList();
}
