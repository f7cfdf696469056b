using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Common;
using Orchestrator.Grains.Steps;
using Orchestrator.Runtime.Indexes;

namespace Orchestrator.Grains.Tests.Steps;

/// <summary>Which hosts a step of a namespace may reach: live ones of its namespace, rows of before namespaces as default's.</summary>
public sealed class HostNamespacesTests
{
    private static IndexRow Row(string host, HostStatus status, string? ns, bool withData = true) =>
        new(IndexKinds.Host, "", host, (int)status,
            withData ? DomainJson.Serialize(new HostIndexData(new Dictionary<string, string>(), "s", null, 1, ns)) : null);

    [Fact]
    public void LiveIn_OnlyLiveHostsOfTheNamespace()
    {
        IndexRow[] rows =
        [
            Row("a1", HostStatus.Online, "a"),
            Row("a2", HostStatus.Draining, "a"),
            Row("a3", HostStatus.Offline, "a"),
            Row("b1", HostStatus.Online, "b"),
            Row("d1", HostStatus.Online, "default"),
        ];

        Assert.Equal(["a1", "a2"], HostNamespaces.LiveIn(rows, "a").Order(StringComparer.Ordinal));
        Assert.Equal(["b1"], HostNamespaces.LiveIn(rows, "b"));
        Assert.Empty(HostNamespaces.LiveIn(rows, "c"));
    }

    [Fact]
    public void Of_RowOfBeforeNamespaces_IsDefault()
    {
        var legacy = new IndexRow(IndexKinds.Host, "", "old", (int)HostStatus.Online, """{"labels":{},"sessionId":"s","capacity":1}""");

        Assert.Equal("default", HostNamespaces.Of(legacy));
        Assert.Equal("default", HostNamespaces.Of(Row("x", HostStatus.Online, null, withData: false)));
        Assert.Equal(["old"], HostNamespaces.LiveIn([legacy], "default"));
        Assert.Empty(HostNamespaces.LiveIn([legacy], "a"));
    }

    [Fact]
    public void NamespacePartitions_DefaultAlsoReadsTheEmptyPartition()
    {
        Assert.Equal(["default", ""], NamespacePartitions.Of("default"));
        Assert.Equal(["a"], NamespacePartitions.Of("a"));
        Assert.Equal("default", NamespacePartitions.NamespaceOf(""));
        Assert.Equal("a", NamespacePartitions.NamespaceOf("a"));
    }
}
