using System.Text.RegularExpressions;
using System.Xml.Linq;
using Orchestrator.Deploy.Tests.Infrastructure;
using Orchestrator.Deploy.Tests.Manifests;

namespace Orchestrator.Deploy.Tests.Images;

/// <summary>
/// The Dockerfiles build the images the manifests run. No Docker daemon here, so these read the files: each image of the
/// manifests has a Dockerfile titled with its name, the build copies every project the published one depends on, the
/// entry point is that project's assembly, and the image runs as a non-root user.
/// </summary>
public sealed partial class DockerfileTests
{
    public static TheoryData<string, string, string> Images => new()
    {
        { Pods.SiloImage, "silo.Dockerfile", "silo/Orchestrator.Silo/Orchestrator.Silo.csproj" },
        { Pods.AgentImage, "agent.Dockerfile", "agent/Orchestrator.Agent/Orchestrator.Agent.csproj" },
    };

    [Fact]
    public void Images_OfTheManifests_EachHaveADockerfile()
    {
        var used = Rendering.Directories.Keys.SelectMany(n => Rendering.Of(n).Workloads).SelectMany(w => w.Pod.Containers).Select(Workload.ImageName).ToHashSet();
        var titled = Directory.EnumerateFiles(Repo.Path("deploy", "docker"), "*.Dockerfile").Select(f => Title().Match(File.ReadAllText(f)).Groups[1].Value).ToHashSet();

        Assert.Subset(titled, used);
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void Dockerfile_CopiesEveryProjectItBuilds_RunsItsAssemblyAsNonRoot(string image, string dockerfile, string project)
    {
        var text = File.ReadAllText(Repo.Path("deploy", "docker", dockerfile));

        Assert.Equal(image, Title().Match(text).Groups[1].Value);
        var copies = Copy().Matches(text).Select(m => (Source: m.Groups[1].Value, Destination: m.Groups[2].Value.TrimEnd('/'))).ToList();
        foreach (var dependency in Closure(project))
        {
            var folder = Path.GetDirectoryName(dependency)!.Replace('\\', '/');
            // The restore layer needs the project file, the build its folder.
            Assert.True(copies.Any(c => c.Source == dependency && c.Destination == folder), $"{dockerfile}: {dependency} is not copied before the restore");
            Assert.True(copies.Any(c => c.Source != dependency && (folder == c.Destination || folder.StartsWith(c.Destination + "/", StringComparison.Ordinal))),
                $"{dockerfile}: {dependency} is built but its folder {folder} is not copied");
        }
        var assembly = XDocument.Load(Repo.Path(project)).Descendants("AssemblyName").Single().Value;
        Assert.Contains($"ENTRYPOINT [\"dotnet\", \"{assembly}.dll\"]", text, StringComparison.Ordinal);
        Assert.Matches(@"\nFROM mcr\.microsoft\.com/dotnet/sdk:10\.0 AS build\n", text);
        Assert.Matches(@"\nFROM mcr\.microsoft\.com/dotnet/(aspnet|runtime):10\.0\n", text);
        var runtimeStage = text[text.LastIndexOf("\nFROM ", StringComparison.Ordinal)..];
        Assert.Contains("USER $APP_UID", runtimeStage, StringComparison.Ordinal);
    }

    [Fact]
    public void DockerIgnore_KeepsLocalDataAndBuildOutputOut()
    {
        var lines = File.ReadAllLines(Repo.Path(".dockerignore")).Select(l => l.Trim()).ToHashSet();

        // data/ holds a single-node silo's generated tokens: never in a build context, let alone an image.
        Assert.Superset(new HashSet<string> { "**/bin/", "**/obj/", "**/data/", ".git/" }, lines);
    }

    /// <summary>The project and every project it references, transitively, as repository paths.</summary>
    private static IEnumerable<string> Closure(string project)
    {
        var seen = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([project]);
        while (pending.TryPop(out var next))
        {
            if (!seen.Add(next))
            {
                continue;
            }
            foreach (var reference in XDocument.Load(Repo.Path(next)).Descendants("ProjectReference"))
            {
                var path = Path.GetFullPath(Path.Combine(Repo.Path(Path.GetDirectoryName(next)!), reference.Attribute("Include")!.Value));
                pending.Push(Path.GetRelativePath(Repo.Root, path).Replace('\\', '/'));
            }
        }
        return seen;
    }

    [GeneratedRegex("org\\.opencontainers\\.image\\.title=\"([^\"]+)\"")]
    private static partial Regex Title();

    /// <summary><c>COPY source destination</c> with one source (the build stage's lines; not <c>--from</c>).</summary>
    [GeneratedRegex(@"^COPY (?!--from)(\S+) (\S+)$", RegexOptions.Multiline)]
    private static partial Regex Copy();
}
