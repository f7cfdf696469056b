using Orchestrator.Api.Instances;

namespace Orchestrator.Console.Tests.Unit;

public sealed class HostPrefixTests
{
    [Theory]
    [InlineData("web-1", "web-0~")]
    [InlineData("a", "`~")]
    [InlineData("db-", "db,~")]
    public void Floor_Prefix_LowersTheLastCharacterAndAddsTilde(string prefix, string floor) =>
        Assert.Equal(floor, HostPrefix.Floor(prefix));

    [Fact]
    public void Floor_EveryHostBelowThePrefixIsAtOrBelowItAndEveryHostWithItAbove()
    {
        string[] hosts = ["web-0", "web-0zz", "web-0_x", "web-", "web", "web-1", "web-10", "web-1.example", "web-2", "wex"];
        var floor = HostPrefix.Floor("web-1");
        foreach (var host in hosts)
        {
            var above = string.CompareOrdinal(host, floor) > 0;
            Assert.True(above == (string.CompareOrdinal(host, "web-1") >= 0), $"{host} vs floor {floor}");
        }
    }

    [Fact]
    public void Later_CursorPastTheFloor_TheCursor()
    {
        Assert.Equal("web-17", HostPrefix.Later("web-17", "web-0~"));
        Assert.Equal("web-0~", HostPrefix.Later("a", "web-0~"));
        Assert.Equal("web-0~", HostPrefix.Later(null, "web-0~"));
    }

    [Fact]
    public void Ceiling_IsAboveEveryNameWithThePrefixAndBelowTheNextNames()
    {
        var ceiling = HostPrefix.Ceiling("web-1");
        Assert.Equal("web-1~", ceiling);
        foreach (var name in new[] { "web-1", "web-1zz", "web-1.example.com", "web-19" })
        {
            Assert.True(string.CompareOrdinal(name, ceiling) < 0, name);
        }
        Assert.True(string.CompareOrdinal("web-2", ceiling) > 0);
        Assert.Equal("web-12", HostPrefix.Earlier("web-12", ceiling));
        Assert.Equal(ceiling, HostPrefix.Earlier("zz", ceiling));
        Assert.Equal(ceiling, HostPrefix.Earlier(null, ceiling));
    }
}
