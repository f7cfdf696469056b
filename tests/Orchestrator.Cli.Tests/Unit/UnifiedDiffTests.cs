using Orchestrator.Cli.Plans;

namespace Orchestrator.Cli.Tests.Unit;

public sealed class UnifiedDiffTests
{
    [Fact]
    public void Create_SameLines_Empty() => Assert.Equal("", UnifiedDiff.Create("a\nb\n", "a\nb", "old", "new"));

    [Fact]
    public void Create_OneLineChanged_HunkWithThreeLinesOfContext()
    {
        var diff = UnifiedDiff.Create("1\n2\n3\n4\n5\n6\n7\n8\n9\n", "1\n2\n3\n4\nfive\n6\n7\n8\n9\n", "old", "new");

        Assert.Equal("--- old\n+++ new\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n", diff.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Create_FromNothing_EveryLineAdded()
    {
        var diff = UnifiedDiff.Create("", "a\nb\n", "/dev/null", "plan.yaml");

        Assert.Equal("--- /dev/null\n+++ plan.yaml\n@@ -0,0 +1,2 @@\n+a\n+b\n", diff.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Create_ChangesFarApart_TwoHunks()
    {
        var lines = Enumerable.Range(1, 20).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var changed = lines.ToArray();
        changed[1] = "two";
        changed[18] = "nineteen";

        var diff = UnifiedDiff.Create(string.Join('\n', lines), string.Join('\n', changed), "a", "b");

        Assert.Equal(2, diff.Split('\n').Count(l => l.StartsWith("@@", StringComparison.Ordinal)));
        Assert.Contains("@@ -1,5 +1,5 @@", diff);
        Assert.Contains("@@ -16,5 +16,5 @@", diff);
    }
}
