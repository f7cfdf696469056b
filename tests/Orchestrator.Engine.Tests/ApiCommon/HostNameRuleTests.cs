using Orchestrator.Agent.Protocol;
using Orchestrator.Api.Common;
using Orchestrator.Plans.Validation;

namespace Orchestrator.Engine.Tests.ApiCommon;

/// <summary>One host name rule: what an agent may register, a plan may target and the API's {host} takes agree.</summary>
public sealed class HostNameRuleTests
{
    [Theory]
    [InlineData("web-01", true)]
    [InlineData("web-01.example.com", true)]
    [InlineData("10.0.0.7", true)]
    [InlineData("fe80::1", true)]
    [InlineData("_build", true)]
    [InlineData("WIN_BOX-2", true)]
    [InlineData("-x", false)]
    [InlineData(".", false)]
    [InlineData("..", false)]
    [InlineData(".hidden", false)]
    [InlineData(":1", false)]
    [InlineData("a b", false)]
    [InlineData("a/b", false)]
    [InlineData("a#1", false)]
    [InlineData("héte", false)]
    [InlineData("", false)]
    public void HostName_TheSameRuleForAgentsPlansAndTheApi(string host, bool valid)
    {
        Assert.Equal(valid, ProtocolNames.IsHostName(host));
        Assert.Equal(valid, ProtocolNames.CheckHost(host) is null);
        Assert.Equal(valid, HostNames.IsValid(host));
        Assert.Equal(valid, Ids.CheckHost("host", host) is null);
        Assert.Equal(valid, Ids.CheckTarget("host", host) is null);
    }

    [Fact]
    public void HostName_Length_IsAtMost253Everywhere()
    {
        var longest = new string('h', 253);

        Assert.True(ProtocolNames.IsHostName(longest) && HostNames.IsValid(longest) && Ids.CheckHost("host", longest) is null);
        Assert.False(ProtocolNames.IsHostName(longest + "h") || HostNames.IsValid(longest + "h") || Ids.CheckHost("host", longest + "h") is null);
    }
}
