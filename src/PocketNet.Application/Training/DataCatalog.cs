using PocketNet.Data.Folders;
using PocketNet.Data.Pairs;
using PocketNet.Data.RecordIO;
using PocketNet.Data.Training;
using PocketNet.Training.Options;
using PocketNet.Training.Recognition;

namespace PocketNet.Application.Training;

/// <summary>Opens the data a run names: training sets by FORMAT:PATH, pair sets by .bin file.</summary>
public static class DataCatalog
{
    /// <summary>
    /// recordio: a folder with train.rec/train.idx (MS1MV2, CASIA-WebFace as InsightFace ships them, or
    /// SynthFaces' train/), or the .rec file itself; folder: one sub-folder of aligned 112x112 images per identity.
    /// </summary>
    public static ITrainingSet OpenTrainingSet(DataSource source) => TrainingNames.Format.Parse(source.Format) switch
    {
        DataFormat.RecordIo when File.Exists(source.Path) => new RecordIoTrainingSet(source.Path),
        DataFormat.RecordIo when Directory.Exists(source.Path) => RecordIoTrainingSet.OpenFolder(source.Path),
        DataFormat.RecordIo => throw new FileNotFoundException($"training set {source.Path} does not exist (expected a folder with train.rec and train.idx)", source.Path),
        _ => Directory.Exists(source.Path)
            ? new ImageFolderTrainingSet(source.Path)
            : throw new DirectoryNotFoundException($"training set folder {source.Path} does not exist"),
    };

    /// <summary>An InsightFace .bin pair set (LFW, CFP-FP, AgeDB-30..., or a SynthFaces stand-in).</summary>
    public static PairSet OpenPairSet(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"pair set {path} does not exist", path);
        return BinPairSetReader.Read(path);
    }
}
