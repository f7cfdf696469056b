using Orchestrator.Agent.Transport;

namespace Orchestrator.Agent.Tests.Transport;

/// <summary>A registration or heartbeat naming many hosts waits longer: the server makes one grain call per host.</summary>
public sealed class HostCountTimeoutTests
{
    [Theory]
    [InlineData(1, 30_001)]
    [InlineData(10_000, 40_000)]
    [InlineData(100_000, 130_000)]
    public void ForHosts_AddsAMillisecondPerHost(int hosts, int expectedMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), AgentApiClient.ForHosts(TimeSpan.FromSeconds(30), hosts));

    [Fact]
    public void ForHosts_NoTimeout_StaysWithout() =>
        Assert.Equal(Timeout.InfiniteTimeSpan, AgentApiClient.ForHosts(Timeout.InfiniteTimeSpan, 100_000));
}
