using Orchestrator.Plans.Model;
using Orchestrator.Plans.Parameters;
using Orchestrator.Plans.Tests.Support;
using Orchestrator.Plans.Validation;

namespace Orchestrator.Plans.Tests.Parameters;

public sealed class PlanParametersTests
{
    private static readonly PlanDefinition Plan = SamplePlans.Minimal() with
    {
        Parameters =
        [
            new ParameterDefinition { Name = "version", Required = true },
            new ParameterDefinition { Name = "channel", Default = "stable" },
            new ParameterDefinition { Name = "note" },
            new ParameterDefinition { Name = "servers", Type = ParameterType.HostList, Default = "web-1,web-2" },
            new ParameterDefinition { Name = "token", Type = ParameterType.Secret, Required = true },
        ],
    };

    private static Dictionary<string, string> Given(params (string Name, string Value)[] values) =>
        values.ToDictionary(v => v.Name, v => v.Value);

    [Fact]
    public void Resolve_RequiredGiven_DefaultsAndEmptiesFilledIn()
    {
        var (values, errors) = PlanParameters.Resolve(Plan, Given(("version", "1.2"), ("token", "s3cret")));

        Assert.Empty(errors);
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["version"] = "1.2",
                ["channel"] = "stable",
                ["note"] = "",
                ["servers"] = "web-1,web-2",
                ["token"] = "s3cret",
            },
            values);
    }

    [Fact]
    public void Resolve_GivenValue_OverridesDefault()
    {
        var (values, errors) = PlanParameters.Resolve(Plan, Given(("version", "1"), ("token", "t"), ("channel", "beta")));

        Assert.Empty(errors);
        Assert.Equal("beta", values["channel"]);
    }

    [Fact]
    public void Resolve_RequiredMissing_ErrorPerParameter()
    {
        var (_, errors) = PlanParameters.Resolve(Plan, Given());

        Assert.Equal(["parameters.version", "parameters.token"], errors.Select(e => e.Path));
        Assert.All(errors, e => Assert.Contains("is required", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void Resolve_RequiredGivenEmpty_Error()
    {
        var (_, errors) = PlanParameters.Resolve(Plan, Given(("version", ""), ("token", "t")));

        Assert.Equal("parameters.version", Assert.Single(errors).Path);
    }

    [Fact]
    public void Resolve_UnknownName_ErrorNamingKnownOnes()
    {
        var (_, errors) = PlanParameters.Resolve(Plan, Given(("version", "1"), ("token", "t"), ("verison", "2")));

        var error = Assert.Single(errors);
        Assert.Equal("parameters.verison", error.Path);
        Assert.Contains("Unknown parameter 'verison'", error.Message, StringComparison.Ordinal);
        Assert.Contains("version, channel", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_HostList_SplitTrimmedDeduplicated()
    {
        var (values, errors) = PlanParameters.Resolve(Plan, Given(("version", "1"), ("token", "t"), ("servers", " db-1 ,db-2,, db-1,\n10.0.0.7 ")));

        Assert.Empty(errors);
        Assert.Equal("db-1,db-2,10.0.0.7", values["servers"]);
    }

    [Fact]
    public void Resolve_HostListWithBadHost_ErrorNamingTheHost()
    {
        var (_, errors) = PlanParameters.Resolve(Plan, Given(("version", "1"), ("token", "t"), ("servers", "ok,-bad,also/bad")));

        Assert.Equal(["parameters.servers", "parameters.servers"], errors.Select(e => e.Path));
        Assert.Contains("'-bad'", errors[0].Message, StringComparison.Ordinal);
        Assert.Contains("'also/bad'", errors[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_RequiredHostListOnlyCommas_Error()
    {
        var plan = SamplePlans.Minimal() with { Parameters = [new ParameterDefinition { Name = "hosts", Type = ParameterType.HostList, Required = true }] };

        var (_, errors) = PlanParameters.Resolve(plan, Given(("hosts", " , ,")));

        Assert.Contains("at least one host", Assert.Single(errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SecretValues_SecretParameters_NonEmptyValuesOnly()
    {
        var plan = SamplePlans.Minimal() with
        {
            Parameters =
            [
                new ParameterDefinition { Name = "a", Type = ParameterType.Secret },
                new ParameterDefinition { Name = "b", Type = ParameterType.Secret },
                new ParameterDefinition { Name = "c" },
            ],
        };

        Assert.Equal(["x1"], PlanParameters.SecretValues(plan, Given(("a", "x1"), ("b", ""), ("c", "plain"))));
    }

    [Fact]
    public void Masked_Values_SecretsReplaced()
    {
        var masked = PlanParameters.Masked(Plan, Given(("version", "1.2"), ("token", "s3cret")));

        Assert.Equal(new Dictionary<string, string> { ["version"] = "1.2", ["token"] = "***" }, masked);
    }

    [Fact]
    public void MaskText_Secrets_EveryOccurrenceLongestFirst() =>
        Assert.Equal(
            "login *** then *** and *** again",
            PlanParameters.MaskText("login abc then abcdef and abc again", ["abc", "abcdef", ""]));

    [Fact]
    public void EnvironmentVariables_EveryParameter_PrefixedInUpperCase()
    {
        var (values, _) = PlanParameters.Resolve(Plan, Given(("version", "1.2"), ("token", "s3cret")));

        var environment = PlanParameters.EnvironmentVariables(Plan, values);

        Assert.Equal("1.2", environment["ORCH_PARAM_VERSION"]);
        Assert.Equal("s3cret", environment["ORCH_PARAM_TOKEN"]);
        Assert.Equal("web-1,web-2", environment["ORCH_PARAM_SERVERS"]);
        Assert.Equal(5, environment.Count);
    }

    [Fact]
    public void Resolve_ValueOverTheLimit_ErrorNamingTheParameter_WithoutQuotingIt()
    {
        var (_, errors) = PlanParameters.Resolve(Plan, Given(("version", new string('v', PlanLimits.MaxParameterValueLength + 1)), ("token", "t")));

        var error = Assert.Single(errors);
        Assert.Equal("parameters.version", error.Path);
        Assert.Contains($"at most {PlanLimits.MaxParameterValueLength} characters", error.Message, StringComparison.Ordinal);
        Assert.True(error.Message.Length < 200, error.Message);
    }

    [Fact]
    public void Resolve_HugeUnknownName_ErrorWithoutQuotingIt()
    {
        var (_, errors) = PlanParameters.Resolve(Plan, Given(("version", "1"), ("token", "t"), (new string('n', 10 * 1024 * 1024), "x")));

        var error = Assert.Single(errors);
        Assert.Equal("parameters", error.Path);
        Assert.True(error.Message.Length < 400, $"{error.Message.Length} characters");
    }
}
