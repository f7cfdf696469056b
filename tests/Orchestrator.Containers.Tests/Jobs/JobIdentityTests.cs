using System.Text.RegularExpressions;
using Orchestrator.Containers.Jobs;

namespace Orchestrator.Containers.Tests.Jobs;

/// <summary>The Job's name: deterministic from the run's identity, a valid Kubernetes name whatever the step is called.</summary>
public sealed partial class JobIdentityTests
{
    private static readonly JobIdentity Sample = new("inst-7f3a", 2, "dump-db", "eu-1", 1);

    [Fact]
    public void JobName_KnownIdentity_PinnedValue() =>
        // A change here renames every Job: a silo upgraded mid-run would no longer find the Job it created. Keep it.
        Assert.Equal("orch-dump-db-" + JobIdentity.Hash("inst-7f3a\n2\neu-1\n1"), Sample.JobName);

    [Fact]
    public void JobName_SameIdentityTwice_SameName() =>
        Assert.Equal(Sample.JobName, (Sample with { }).JobName);

    [Fact]
    public void JobName_StepNameChanged_SameHash() =>
        Assert.EndsWith(Sample.JobName[^16..], (Sample with { StepName = "other" }).JobName, StringComparison.Ordinal);

    public static TheoryData<JobIdentity> Others() =>
    [
        Sample with { InstanceId = "inst-7f3b" },
        Sample with { StepIndex = 3 },
        Sample with { Cluster = "eu-2" },
        Sample with { Attempt = 2 },
    ];

    [Theory]
    [MemberData(nameof(Others))]
    public void JobName_AnyIdentityFieldChanged_OtherName(JobIdentity other) =>
        Assert.NotEqual(Sample.JobName, other.JobName);

    [Theory]
    [InlineData("")]
    [InlineData("___")]
    [InlineData("Deploy DB!")]
    [InlineData("déploiement_été")]
    [InlineData("--a--b--")]
    [InlineData("a-very-long-step-name-that-goes-on-and-on-past-any-sensible-length-for-a-kubernetes-name")]
    [InlineData("x-------------------------------------------------------y")]
    public void JobName_AnyStepName_DnsLabelOfAtMost63(string stepName)
    {
        var name = (Sample with { StepName = stepName }).JobName;

        Assert.Matches(DnsLabel(), name);
        Assert.InRange(name.Length, 1, JobIdentity.MaxNameLength);
        Assert.StartsWith("orch-", name, StringComparison.Ordinal);
    }

    [Fact]
    public void LabelValue_InvalidOrLongValue_HashedToAValidOne()
    {
        Assert.Equal("abc-1", JobLabels.LabelValue("abc-1"));
        var hashed = JobLabels.LabelValue(new string('a', 64));
        Assert.Matches("^h-[0-9a-f]{16}$", hashed);
        Assert.Matches("^h-[0-9a-f]{16}$", JobLabels.LabelValue("tenant/instance 1"));
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();
}
