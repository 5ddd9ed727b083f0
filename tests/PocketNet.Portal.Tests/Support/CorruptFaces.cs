namespace PocketNet.Portal.Tests.Support;

/// <summary>
/// "CorruptFaces": a copy of the tiny SynthFaces training set whose train.rec is noise, offered to a portal as a
/// configured training set, for the tests of jobs that fail on bad data.
/// </summary>
internal static class CorruptFaces
{
    public const string Name = "CorruptFaces";

    /// <summary>Writes the copy under <paramref name="folder"/> and adds it to the portal's training sets (before its start).</summary>
    public static void Offer(PortalFactory portal, string folder)
    {
        string train = Path.Combine(folder, "train");
        Directory.CreateDirectory(train);
        foreach (string file in Directory.GetFiles(Path.Combine(TinySynthData.Root, "train")))
            File.Copy(file, Path.Combine(train, Path.GetFileName(file)));
        string records = Path.Combine(train, "train.rec");
        var noise = new byte[new FileInfo(records).Length];
        new Random(5).NextBytes(noise);
        File.WriteAllBytes(records, noise);
        portal.Settings["Portal:TrainingSets:0:Name"] = Name;
        portal.Settings["Portal:TrainingSets:0:Format"] = "recordio";
        portal.Settings["Portal:TrainingSets:0:Path"] = train;
        portal.Settings["Portal:TrainingSets:0:Synthetic"] = "true";
    }
}
