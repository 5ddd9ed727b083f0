namespace PocketNet.Portal.Auth;

/// <summary>Files that hold secrets (the generated admin password, the session stamp): readable by the owner only, from their creation on.</summary>
public static class SecretFile
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates (or replaces) <paramref name="path"/> with mode 600 from the start: never a moment world-readable.</summary>
    public static void Write(string path, string content)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = OwnerOnly;
        using (var writer = new StreamWriter(path, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false), options)) writer.Write(content);
        // FileMode.Create keeps the mode of a file that already existed: tighten it too.
        Tighten(path);
    }

    /// <summary>Makes an existing secret file owner-only (a copy restored or made by hand may be world-readable).</summary>
    public static void Tighten(string path)
    {
        if (OperatingSystem.IsWindows() || !File.Exists(path)) return;
        if ((File.GetUnixFileMode(path) & ~OwnerOnly) != 0) File.SetUnixFileMode(path, OwnerOnly);
    }
}
