using Orchestrator.Plans.Model;
using Orchestrator.Plans.Parameters;
using Orchestrator.Plans.Tests.Support;

namespace Orchestrator.Plans.Tests.Parameters;

/// <summary>A secret parameter's default is shown masked like its values, and a plan sent back as shown keeps it.</summary>
public sealed class SecretDefaultTests
{
    private static readonly PlanDefinition Plan = SamplePlans.Minimal() with
    {
        Parameters =
        [
            new ParameterDefinition { Name = "channel", Default = "stable" },
            new ParameterDefinition { Name = "token", Type = ParameterType.Secret, Default = "s3cret" },
            new ParameterDefinition { Name = "empty", Type = ParameterType.Secret },
        ],
    };

    [Fact]
    public void MaskDefaults_SecretWithADefault_ShowsTheMaskOnly()
    {
        var masked = PlanParameters.MaskDefaults(Plan);

        Assert.Equal("stable", masked.Parameters[0].Default);
        Assert.Equal(PlanParameters.Mask, masked.Parameters[1].Default);
        Assert.Null(masked.Parameters[2].Default);
        Assert.Equal("s3cret", Plan.Parameters[1].Default);
    }

    [Fact]
    public void RestoreMaskedDefaults_PlanAsShown_KeepsThePreviousDefault()
    {
        var (restored, errors) = PlanParameters.RestoreMaskedDefaults(PlanParameters.MaskDefaults(Plan), Plan);

        Assert.Empty(errors);
        Assert.Equal("s3cret", restored.Parameters[1].Default);
    }

    [Fact]
    public void RestoreMaskedDefaults_NoPreviousDefault_IsAnErrorAtTheDefault()
    {
        var (_, errors) = PlanParameters.RestoreMaskedDefaults(PlanParameters.MaskDefaults(Plan), previous: null);

        Assert.Equal("parameters[1].default", Assert.Single(errors).Path);
    }

    [Fact]
    public void RestoreMaskedDefaults_ANewValue_IsKeptAsGiven()
    {
        var changed = Plan with { Parameters = [.. Plan.Parameters.Select(p => p.Name == "token" ? p with { Default = "n3w" } : p)] };

        var (restored, errors) = PlanParameters.RestoreMaskedDefaults(changed, Plan);

        Assert.Empty(errors);
        Assert.Equal("n3w", restored.Parameters[1].Default);
    }

    [Theory]
    [InlineData(PlanParameters.MaxValueLength, true)]
    [InlineData(PlanParameters.MaxValueLength + 1, false)]
    public void Resolve_GivenValueLength_IsBounded(int length, bool ok)
    {
        var (_, errors) = PlanParameters.Resolve(Plan, new Dictionary<string, string> { ["channel"] = new('c', length) });

        Assert.Equal(ok, errors.Count == 0);
        if (!ok)
        {
            Assert.Equal("parameters.channel", Assert.Single(errors).Path);
        }
    }

    [Fact]
    public void Resolve_GivenValueWithANul_IsAnError()
    {
        var (_, errors) = PlanParameters.Resolve(Plan, new Dictionary<string, string> { ["channel"] = "a\0b" });

        Assert.Equal("parameters.channel", Assert.Single(errors).Path);
    }
}
