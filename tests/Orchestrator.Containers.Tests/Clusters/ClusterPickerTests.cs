using Orchestrator.Containers.Clusters;
using Orchestrator.Plans.Selectors;

namespace Orchestrator.Containers.Tests.Clusters;

public sealed class ClusterPickerTests
{
    private static ClusterCandidate Cluster(string name, int capacity, int running, ClusterHealthStatus health = ClusterHealthStatus.Healthy, string region = "eu") =>
        new(name, new Dictionary<string, string> { ["region"] = region, ["tier"] = "batch" }, capacity, running, health);

    private static readonly LabelSelector Eu = LabelSelector.Parse("region=eu");

    [Fact]
    public void Pick_One_MostFreeCapacityWins()
    {
        var pick = ClusterPicker.Pick([Cluster("a", 10, 8), Cluster("b", 4, 0), Cluster("c", 20, 17)], Eu, null, ClusterPickMode.One);

        Assert.Equal(["b"], pick.Chosen);
        Assert.Equal("has less free capacity (2)", pick.PassedOver["a"]);
        Assert.Null(pick.Problem);
    }

    [Fact]
    public void Pick_One_TieOnFreeCapacity_SmallestNameWins_WhateverTheOrderGiven()
    {
        Assert.Equal(["east"], ClusterPicker.Pick([Cluster("west", 5, 2), Cluster("east", 3, 0)], Eu, null, ClusterPickMode.One).Chosen);
        Assert.Equal(["east"], ClusterPicker.Pick([Cluster("east", 3, 0), Cluster("west", 5, 2)], Eu, null, ClusterPickMode.One).Chosen);
    }

    [Fact]
    public void Pick_One_UnhealthyAndUnprobedPassedOverEvenWithMoreRoom()
    {
        var pick = ClusterPicker.Pick(
            [Cluster("big", 100, 0, ClusterHealthStatus.Unhealthy), Cluster("new", 50, 0, ClusterHealthStatus.Unknown), Cluster("small", 2, 1)],
            Eu, null, ClusterPickMode.One);

        Assert.Equal(["small"], pick.Chosen);
        Assert.Equal("is unhealthy", pick.PassedOver["big"]);
        Assert.Equal("is not probed yet", pick.PassedOver["new"]);
    }

    [Fact]
    public void Pick_One_AllFullOrDown_NothingChosenAndTheProblemNamesEach()
    {
        var pick = ClusterPicker.Pick([Cluster("a", 2, 2), Cluster("b", 5, 0, ClusterHealthStatus.Unhealthy), Cluster("us", 9, 0, region: "us")], Eu, null, ClusterPickMode.One);

        Assert.Empty(pick.Chosen);
        Assert.Equal("no cluster can take the Job: a is full (2 of 2 running); b is unhealthy", pick.Problem);
    }

    [Fact]
    public void Pick_SelectorMatchesNothing_ProblemSaysNoClusterMatches()
    {
        var pick = ClusterPicker.Pick([Cluster("us-1", 9, 0, region: "us")], Eu, null, ClusterPickMode.One);

        Assert.Equal("no registered cluster matches the target", pick.Problem);
    }

    [Fact]
    public void Pick_Each_EveryHealthyMatchInNameOrder_FullOnesIncluded()
    {
        var pick = ClusterPicker.Pick(
            [Cluster("c", 1, 1), Cluster("a", 5, 0), Cluster("b", 5, 0, ClusterHealthStatus.Unhealthy), Cluster("us", 5, 0, region: "us")],
            Eu, null, ClusterPickMode.Each);

        Assert.Equal(["a", "c"], pick.Chosen);
        Assert.Equal(["b"], pick.PassedOver.Keys);
    }

    [Fact]
    public void Pick_ByName_OnlyTheNamedOnes()
    {
        var pick = ClusterPicker.Pick([Cluster("a", 5, 0), Cluster("b", 1, 0)], null, ["b"], ClusterPickMode.One);

        Assert.Equal(["b"], pick.Chosen);
    }

    [Fact]
    public void Pick_SelectorAndNamesBoth_Refused()
    {
        Assert.Throws<ArgumentException>(() => ClusterPicker.Pick([], Eu, ["a"], ClusterPickMode.One));
    }
}
