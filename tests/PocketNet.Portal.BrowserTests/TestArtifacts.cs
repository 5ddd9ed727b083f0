namespace PocketNet.Portal.BrowserTests;

/// <summary>
/// Where the browser tests keep what they saw: TestResults/browser-screenshots/ at the repository root (ignored by
/// git, kept after the run), one folder per test, emptied when that test starts so nothing stale is mistaken for it.
/// </summary>
public static class TestArtifacts
{
    public const string FolderName = "browser-screenshots";

    private static readonly Lazy<string> RootFolder = new(() => Path.Combine(RepositoryRoot(), "TestResults", FolderName));

    public static string Root => RootFolder.Value;

    /// <summary>A fresh, empty folder for one test's screenshots, page copies and downloads.</summary>
    public static string ForTest(string testName)
    {
        string folder = Path.Combine(Root, testName);
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        Directory.CreateDirectory(folder);
        return folder;
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "PocketNet.Portal.sln"))) return folder.FullName;
        // Outside a checkout (a copied test folder): keep the artifacts next to the test assembly instead.
        return AppContext.BaseDirectory;
    }
}
