using PocketNet.Torch.Serialization;

namespace PocketNet.Torch.Tests.Serialization;

/// <summary>Tensor.LiveCount is process-wide, so these run alone, not beside other test classes.</summary>
[CollectionDefinition(nameof(SerializationLeakTests), DisableParallelization = true)]
public sealed class SerializationLeakCollection;

[Collection(nameof(SerializationLeakTests))]
public class SerializationLeakTests
{
    [Fact]
    public void LoadingAndDisposingReleasesEveryHandle()
    {
        string pth = PythonFiles.ModelPth; // runs the script before counting
        using var dir = new ScratchDirectory();
        string safetensors = dir.File("leak.safetensors");
        long before = Tensor.LiveCount;

        using (TensorDictionary checkpoint = TorchCheckpoint.Load(pth))
            SafeTensors.Save(safetensors, checkpoint);
        using (TensorDictionary loaded = SafeTensors.Load(safetensors))
            Assert.NotEmpty(loaded);

        Assert.Equal(before, Tensor.LiveCount);
    }

    [Fact]
    public void AFailedImportReleasesWhatItHadBuilt()
    {
        string pth = PythonFiles.ModelPth;
        using var dir = new ScratchDirectory();
        // Cut the archive's last storage short: the import fails after building most tensors.
        string path = dir.File("cut.pth");
        File.Copy(pth, path);
        using (var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Update))
        {
            var entry = zip.Entries.Where(e => e.FullName.Contains("/data/") && e.Length > 0).MaxBy(e => int.Parse(e.Name))!;
            string name = entry.FullName;
            entry.Delete();
            zip.CreateEntry(name).Open().Dispose();
        }
        long before = Tensor.LiveCount;

        using (var scope = DisposeScope.Enter())
            Assert.Throws<CheckpointFormatException>(() => TorchCheckpoint.Load(path));

        Assert.Equal(before, Tensor.LiveCount);
    }
}
