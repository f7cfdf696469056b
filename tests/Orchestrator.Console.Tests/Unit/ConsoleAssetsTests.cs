using System.Text.RegularExpressions;
using Orchestrator.Api.WebConsole;

namespace Orchestrator.Console.Tests.Unit;

/// <summary>The console's embedded files: each module another imports is there, and nothing is loaded from elsewhere.</summary>
public sealed partial class ConsoleAssetsTests
{
    private static string Read(string name)
    {
        using var stream = typeof(ConsoleAssets).Assembly.GetManifestResourceStream("console/" + name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    [Fact]
    public void Files_IndexScriptsAndStyle_AreEmbedded()
    {
        Assert.Contains("index.html", ConsoleAssets.Files);
        Assert.Contains("console.css", ConsoleAssets.Files);
        Assert.Contains("js/app.js", ConsoleAssets.Files);
    }

    [Fact]
    public void Files_EveryImportedModule_IsEmbedded()
    {
        var missing = new List<string>();
        foreach (var file in ConsoleAssets.Files.Where(f => f.EndsWith(".js", StringComparison.Ordinal)))
        {
            var folder = Path.GetDirectoryName(file) ?? "";
            foreach (Match import in ImportPattern().Matches(Read(file)))
            {
                var target = Path.GetRelativePath(".", Path.Combine(folder, import.Groups[1].Value)).Replace('\\', '/');
                if (!ConsoleAssets.Files.Contains(target))
                {
                    missing.Add($"{file} imports {import.Groups[1].Value} ({target})");
                }
            }
        }
        Assert.Empty(missing);
    }

    [Fact]
    public void Files_NoUrlOfAnotherOrigin()
    {
        var outside = ConsoleAssets.Files.Where(f => Read(f).Contains("http://", StringComparison.OrdinalIgnoreCase) || Read(f).Contains("https://", StringComparison.OrdinalIgnoreCase) || Read(f).Contains("//cdn", StringComparison.OrdinalIgnoreCase));
        Assert.Empty(outside);
    }

    [GeneratedRegex("""from\s+'(\.[^']+)'""")]
    private static partial Regex ImportPattern();
}
