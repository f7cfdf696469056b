namespace Orchestrator.Plans.Tests.Support;

/// <summary>Files of the repository the tests check: the examples and the format document.</summary>
internal static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "Orchestrator.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No Orchestrator.sln above {AppContext.BaseDirectory}.");
    }
}
