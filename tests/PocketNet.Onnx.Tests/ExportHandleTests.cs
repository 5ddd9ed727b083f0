using PocketNet.Onnx.Export;
using PocketNet.Onnx.Tests.Support;
using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Onnx.Tests;

[CollectionDefinition(nameof(ExportHandleTests), DisableParallelization = true)]
public sealed class ExportHandleCollection;

/// <summary>
/// Export reads every weight through temporary tensor handles; a leaked one would pin the model's memory
/// (tensors have no finalizer). Counted alone, since <see cref="Tensor.LiveCount"/> is process-wide.
/// </summary>
[Collection(nameof(ExportHandleTests))]
public sealed class ExportHandleTests
{
    [Fact]
    public void Export_releases_every_tensor_handle_it_creates()
    {
        using Module<Tensor, Tensor> network = TestNetworks.Build(TestNetworks.EveryPrimitiveConfig);
        using var stream = new MemoryStream();
        OnnxExporter.Export(network, TestNetworks.EveryPrimitiveConfig, stream); // warm-up (lazy statics)
        long before = Tensor.LiveCount;
        OnnxExporter.Export(network, TestNetworks.EveryPrimitiveConfig, stream);
        OnnxExporter.Export(network, TestNetworks.EveryPrimitiveConfig, stream, new OnnxExportOptions { FoldBatchNorm = false });
        Assert.Equal(before, Tensor.LiveCount);
    }
}
