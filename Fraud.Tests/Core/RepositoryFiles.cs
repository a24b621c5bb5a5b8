namespace Fraud.Tests.Core;

/// <summary>Files of this checkout, found from the test binary's folder upwards.</summary>
internal static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(string relativePath) => Path.Combine(Root, relativePath);

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Fraud.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No Fraud.sln above {AppContext.BaseDirectory}");
    }
}
