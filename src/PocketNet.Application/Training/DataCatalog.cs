using PocketNet.Data.Folders;
using PocketNet.Data.Pairs;
using PocketNet.Data.RecordIO;
using PocketNet.Data.Training;
using PocketNet.Training.Recognition;

namespace PocketNet.Application.Training;

/// <summary>Opens the data a run names: training sets by FORMAT:PATH, pair sets by .bin file.</summary>
public static class DataCatalog
{
    public static IReadOnlyList<string> TrainingFormats { get; } = ["recordio", "folder"];

    /// <summary>
    /// recordio: a folder with train.rec/train.idx (MS1MV2, CASIA-WebFace as InsightFace ships them, or
    /// SynthFaces' train/), or the .rec file itself; folder: one sub-folder of aligned 112x112 images per identity.
    /// </summary>
    public static ITrainingSet OpenTrainingSet(DataSource source) => source.Format switch
    {
        "recordio" when File.Exists(source.Path) => new RecordIoTrainingSet(source.Path),
        "recordio" when Directory.Exists(source.Path) => RecordIoTrainingSet.OpenFolder(source.Path),
        "recordio" => throw new FileNotFoundException($"training set {source.Path} does not exist (expected a folder with train.rec and train.idx)", source.Path),
        "folder" => Directory.Exists(source.Path)
            ? new ImageFolderTrainingSet(source.Path)
            : throw new DirectoryNotFoundException($"training set folder {source.Path} does not exist"),
        _ => throw new ArgumentException($"unknown training data format '{source.Format}'; use {string.Join(" or ", TrainingFormats)}"),
    };

    /// <summary>An InsightFace .bin pair set (LFW, CFP-FP, AgeDB-30..., or a SynthFaces stand-in).</summary>
    public static PairSet OpenPairSet(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"pair set {path} does not exist", path);
        return BinPairSetReader.Read(path);
    }
}
