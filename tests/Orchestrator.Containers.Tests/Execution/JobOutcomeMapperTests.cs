using k8s.Models;
using Orchestrator.Containers.Execution;

namespace Orchestrator.Containers.Tests.Execution;

public sealed class JobOutcomeMapperTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    private static V1Job Job(params V1JobCondition[] conditions) => new()
    {
        Metadata = new V1ObjectMeta { Name = "j" },
        Status = new V1JobStatus { Active = 1, Failed = 2, Conditions = conditions },
    };

    private static V1Pod Pod(string name, string phase, V1ContainerState state, string? reason = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "main", Image = "img:1" }] },
        Status = new V1PodStatus { Phase = phase, Reason = reason, ContainerStatuses = [new V1ContainerStatus { Name = "main", State = state }] },
    };

    private static V1ContainerState Exited(int code, DateTime at) => new() { Terminated = new V1ContainerStateTerminated { ExitCode = code, Reason = "Error", FinishedAt = at } };

    [Fact]
    public void Map_FailedPodsButNoJobCondition_StillRunning()
    {
        var pods = new[] { Pod("p1", "Failed", Exited(1, Now.UtcDateTime)) };

        Assert.Null(JobOutcomeMapper.Map(Job(), pods, new Dictionary<string, DateTimeOffset>(), Now, TimeSpan.FromMinutes(2)));
    }

    [Fact]
    public void Map_BackoffLimitExceeded_AttributedToTheLastPodToFinish()
    {
        var pods = new[]
        {
            Pod("p2", "Failed", Exited(9, Now.UtcDateTime.AddSeconds(-5))),
            Pod("p1", "Failed", Exited(7, Now.UtcDateTime)),
        };

        var outcome = JobOutcomeMapper.Map(Job(new V1JobCondition { Type = "Failed", Status = "True", Reason = "BackoffLimitExceeded" }), pods, new Dictionary<string, DateTimeOffset>(), Now, TimeSpan.FromMinutes(2));

        Assert.Equal((JobOutcomeKind.Failed, 7, "p1"), (outcome!.Kind, outcome.ExitCode, outcome.Pod));
    }

    [Fact]
    public void Map_ConditionFalse_IsNotAnEnd()
    {
        Assert.Null(JobOutcomeMapper.Map(Job(new V1JobCondition { Type = "Complete", Status = "False" }), [], new Dictionary<string, DateTimeOffset>(), Now, TimeSpan.FromMinutes(2)));
    }

    [Fact]
    public void Map_PullErrorWithinGrace_Running_PastGrace_ImagePullFailed()
    {
        var pods = new[] { Pod("p1", "Pending", new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "ErrImagePull", Message = "not found" } }) };
        var since = new Dictionary<string, DateTimeOffset> { ["p1"] = Now };

        Assert.Null(JobOutcomeMapper.Map(Job(), pods, since, Now.AddSeconds(119), TimeSpan.FromMinutes(2)));
        var outcome = JobOutcomeMapper.Map(Job(), pods, since, Now.AddSeconds(120), TimeSpan.FromMinutes(2));
        Assert.Equal((JobOutcomeKind.ImagePullFailed, "ErrImagePull", "p1"), (outcome!.Kind, outcome.Reason, outcome.Pod));
        Assert.Contains("img:1", outcome.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Map_DeletionTimestampSet_Cancelled()
    {
        var job = Job();
        job.Metadata.DeletionTimestamp = Now.UtcDateTime;

        Assert.Equal(JobOutcomeKind.Cancelled, JobOutcomeMapper.Map(job, [], new Dictionary<string, DateTimeOffset>(), Now, TimeSpan.FromMinutes(2))!.Kind);
    }
}
