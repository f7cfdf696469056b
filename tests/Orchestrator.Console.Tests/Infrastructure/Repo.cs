// The browser tests run a silo and Debian's chromium on Linux: the project is Linux-only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace Orchestrator.Console.Tests.Infrastructure;

/// <summary>Paths in the repository, found from this test assembly's output folder (tests/X/bin/&lt;cfg&gt;/net10.0).</summary>
public static class Repo
{
    private static readonly DirectoryInfo Output = new(AppContext.BaseDirectory.TrimEnd(System.IO.Path.DirectorySeparatorChar));

    public static string Root => Output.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    /// <summary>A project's own build output (<c>folder/Project/bin/&lt;cfg&gt;/net10.0/Assembly.dll</c>).</summary>
    public static string Built(string folder, string project) =>
        Path(folder, project, "bin", Output.Parent!.Name, Output.Name, project + ".dll");
}
