using Orchestrator.Plans.Selectors;

namespace Orchestrator.Plans.Tests.Selectors;

public sealed class LabelSelectorTests
{
    private static readonly Dictionary<string, string> WebInZoneA = new()
    {
        ["role"] = "web",
        ["zone"] = "a",
        ["kubernetes.io/os"] = "linux",
    };

    [Theory]
    [InlineData("role=web", true)]
    [InlineData("role==web", true)]
    [InlineData("role = web", true)]
    [InlineData("role=db", false)]
    [InlineData("role!=db", true)]
    [InlineData("role!=web", false)]
    [InlineData("missing!=x", true)]
    [InlineData("zone in (a,b)", true)]
    [InlineData("zone in ( b , c )", false)]
    [InlineData("zone in(a)", true)]
    [InlineData("zone notin (b,c)", true)]
    [InlineData("zone notin (a)", false)]
    [InlineData("missing notin (a)", true)]
    [InlineData("missing in (a)", false)]
    [InlineData("role", true)]
    [InlineData("missing", false)]
    [InlineData("!missing", true)]
    [InlineData("! role", false)]
    [InlineData("role=web,zone=a", true)]
    [InlineData("role=web , zone=b", false)]
    [InlineData("kubernetes.io/os=linux,!gpu,zone in (a)", true)]
    public void Matches_Selector_FollowsKubernetesSemantics(string selector, bool expected) =>
        Assert.Equal(expected, LabelSelector.Parse(selector).Matches(WebInZoneA));

    [Fact]
    public void Parse_EmptyValue_MatchesEmptyLabel()
    {
        var selector = LabelSelector.Parse("tier=");

        Assert.True(selector.Matches(new Dictionary<string, string> { ["tier"] = "" }));
        Assert.False(selector.Matches(new Dictionary<string, string> { ["tier"] = "x" }));
    }

    [Fact]
    public void Parse_AllForms_RequirementsInOrder()
    {
        var selector = LabelSelector.Parse("a=1, b!=2, c in (x, y), d notin (z), e, !f");

        Assert.Equal(
            [
                (LabelOperator.Equal, "a"), (LabelOperator.NotEqual, "b"), (LabelOperator.In, "c"),
                (LabelOperator.NotIn, "d"), (LabelOperator.Exists, "e"), (LabelOperator.DoesNotExist, "f"),
            ],
            selector.Requirements.Select(r => (r.Operator, r.Key)));
        Assert.Equal(["x", "y"], selector.Requirements[2].Values);
        Assert.Equal("a=1,b!=2,c in (x,y),d notin (z),e,!f", selector.ToString());
    }

    [Theory]
    [InlineData("", 1, "empty")]
    [InlineData("role=web,", 10, "label key")]
    [InlineData("role=we b", 9, "expected ','")]
    [InlineData("role=web;zone=a", 9, "';' is not allowed")]
    [InlineData("ro@le=web", 3, "after label key 'ro'")]
    [InlineData("role=w@b", 7, "'@'")]
    [InlineData("zone in a,b", 9, "expected '('")]
    [InlineData("zone in (a,b", 13, "')'")]
    [InlineData("zone in ()", 10, "label value")]
    [InlineData("zone in (a b)", 12, "',' or ')'")]
    [InlineData("zone within (a)", 6, "'in', 'notin'")]
    [InlineData("!", 2, "label key after '!'")]
    [InlineData("=web", 1, "label key")]
    [InlineData("role=web,,zone=a", 10, "label key")]
    public void Parse_Malformed_ThrowsWithPositionAndReason(string selector, int position, string reason)
    {
        var error = Assert.Throws<FormatException>(() => LabelSelector.Parse(selector));

        Assert.Contains($"position {position}:", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_Malformed_FalseWithError()
    {
        Assert.False(LabelSelector.TryParse("zone in (", out var selector, out var error));
        Assert.Null(selector);
        Assert.Contains("position", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_Valid_TrueWithoutError()
    {
        Assert.True(LabelSelector.TryParse("role=web", out var selector, out var error));
        Assert.Null(error);
        Assert.True(selector.Matches(WebInZoneA));
    }
}
