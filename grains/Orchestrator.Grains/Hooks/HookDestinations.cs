using System.Net;
using System.Net.Sockets;

namespace Orchestrator.Grains.Hooks;

/// <summary>Which addresses <see cref="StatusHookOptions.BlockPrivateNetworks"/> refuses.</summary>
public static class HookDestinations
{
    /// <summary>
    /// True for loopback, link-local, private (10/8, 172.16/12, 192.168/16, fc00::/7, fec0::/10), carrier-grade NAT
    /// (100.64/10), "this network" (0/8), unspecified and multicast addresses; IPv4-mapped IPv6 addresses as their IPv4.
    /// </summary>
    public static bool IsBlocked(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            return true;
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var first = address.GetAddressBytes()[0];
            return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || (first & 0xFE) == 0xFC;
        }
        var b = address.GetAddressBytes();
        return b[0] == 0 || b[0] == 10 || b[0] == 127
            || (b[0] == 169 && b[1] == 254)
            || (b[0] == 172 && (b[1] & 0xF0) == 16)
            || (b[0] == 192 && b[1] == 168)
            || (b[0] == 100 && (b[1] & 0xC0) == 64)
            || b[0] >= 224;
    }
}
