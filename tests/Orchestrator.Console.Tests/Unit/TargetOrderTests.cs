using Orchestrator.Api.Instances;

namespace Orchestrator.Console.Tests.Unit;

public sealed class TargetOrderTests
{
    private static readonly int[] All = [0, 1, 2, 3, 4, 10, 11, 12, 13, 14, 15, 16, 17];

    [Fact]
    public void Statuses_Descending_PutsFinalFailuresBeforeSuccessAndRunning()
    {
        Assert.Equal([17, 16, 15, 14, 13, 12, 11, 10, 4, 3, 2, 1, 0], TargetOrder.Statuses(true, All, null, null));
        Assert.Equal(All, TargetOrder.Statuses(false, All, null, null));
    }

    [Fact]
    public void Statuses_FilterAndCursor_KeepOnlyTheFilteredFromTheCursorsStatusOn()
    {
        Assert.Equal([11, 10], TargetOrder.Statuses(true, All, [10, 11, 10], null));
        Assert.Equal([11, 10, 4, 3, 2, 1, 0], TargetOrder.Statuses(true, All, null, 11));
        Assert.Equal([11, 12], TargetOrder.Statuses(false, All, [12, 2, 11], 11));
        Assert.Empty(TargetOrder.Statuses(false, All, [2], 11));
    }

    [Theory]
    [InlineData("11:web-7", 11, "web-7")]
    [InlineData("0:a", 0, "a")]
    [InlineData("12:host:8080", 12, "host:8080")] // a host name may hold ':'; the status is before the first
    public void TryParseKey_AKeyOfAStatusOrder_GivesItsStatusAndHost(string key, int status, string host)
    {
        Assert.True(TargetOrder.TryParseKey(key, out var s, out var h));
        Assert.Equal((status, host), (s, h));
        Assert.Equal(key, TargetOrder.Key(status, host));
    }

    [Theory]
    [InlineData("web-7")] // a cursor of the name order
    [InlineData(":web-7")]
    [InlineData("11:")]
    [InlineData("-1:web")]
    [InlineData("x1:web")]
    [InlineData("99999999999:web")]
    public void TryParseKey_NotAKeyOfAStatusOrder_IsFalse(string key) =>
        Assert.False(TargetOrder.TryParseKey(key, out _, out _));
}
