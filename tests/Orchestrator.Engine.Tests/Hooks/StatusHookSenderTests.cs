using System.Net;
using Orchestrator.Grains.Hooks;

namespace Orchestrator.Engine.Tests.Hooks;

/// <summary>The sender alone, against a real receiver: <see cref="StatusHookOptions.BlockPrivateNetworks"/>.</summary>
public sealed class StatusHookSenderTests
{
    [Fact]
    public async Task BlockPrivateNetworks_LoopbackReceiver_IsRefusedSayingWhy_AndAllowedByDefault()
    {
        await using var receiver = await HookReceiver.StartAsync();
        var post = new HookPost(receiver.Url, "s", "instance:x", 1, "d1", "{}");

        var blocked = await SendAsync(new StatusHookOptions { BlockPrivateNetworks = true }, post);
        var byName = await SendAsync(new StatusHookOptions { BlockPrivateNetworks = true }, post with { Url = $"http://localhost:{receiver.Port}/hook" });
        var open = await SendAsync(new StatusHookOptions(), post);

        Assert.False(blocked.Delivered);
        Assert.Contains("BlockPrivateNetworks", blocked.Error, StringComparison.Ordinal);
        Assert.False(byName.Delivered); // checked after name resolution
        Assert.Contains("BlockPrivateNetworks", byName.Error, StringComparison.Ordinal);
        Assert.Single(receiver.Received); // only the default sender got through
        Assert.True(open.Delivered, open.Error);
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("10.1.2.3", true)]
    [InlineData("172.20.0.1", true)]
    [InlineData("192.168.1.1", true)]
    [InlineData("169.254.169.254", true)]
    [InlineData("100.64.0.1", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("::1", true)]
    [InlineData("fe80::1", true)]
    [InlineData("fd00::1", true)]
    [InlineData("::ffff:10.0.0.1", true)]
    [InlineData("93.184.216.34", false)]
    [InlineData("172.32.0.1", false)]
    [InlineData("2606:4700::1111", false)]
    public void HookDestinations_IsBlocked(string address, bool blocked) =>
        Assert.Equal(blocked, HookDestinations.IsBlocked(IPAddress.Parse(address)));

    private static async Task<HookAttemptResult> SendAsync(StatusHookOptions options, HookPost post)
    {
        using var client = new HttpClient(StatusHookSender.CreateHandler(options)) { Timeout = Timeout.InfiniteTimeSpan };
        return await new StatusHookSender(() => client, options).SendAsync(post, TimeProvider.System, CancellationToken.None);
    }
}
