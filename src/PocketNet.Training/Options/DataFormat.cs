namespace PocketNet.Training.Options;

/// <summary>How a training set is stored (the FORMAT of FORMAT:PATH); run.json records it by its name in <see cref="TrainingNames.Format"/>.</summary>
public enum DataFormat
{
    /// <summary>MXNet RecordIO: train.rec and train.idx (MS1MV2 and CASIA-WebFace as InsightFace ships them, SynthFaces' train/).</summary>
    RecordIo,

    /// <summary>One sub-folder of aligned 112x112 images per identity.</summary>
    Folder,
}
