using System.Diagnostics;
using Orchestrator.Runtime.Telemetry;

namespace Orchestrator.Engine.Tests.Observability;

/// <summary>
/// The run's trace context as data (<see cref="RunTrace"/>): spans under a stored <c>traceparent</c> when someone
/// listens, and nothing at all — no span, no allocation — when nobody does or the run has no trace. (Its two tests
/// run one after the other, so the first never meets the second's listener.)
/// </summary>
public sealed class RunTraceTests
{
    private const string Parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    [Fact]
    public void Start_WithoutAListener_MakesNoSpanAndAllocatesNothing()
    {
        Assert.False(OrchestratorTelemetry.Source.HasListeners());
        var spans = 0;
        void Target()
        {
            using var span = RunTrace.Start("orchestrator.target.dispatch", Parent);
            spans += span is null && ReferenceEquals(RunTrace.Id(span, Parent), Parent) ? 0 : 1;
            OrchestratorMetrics.Targets.Add(1, OrchestratorMetrics.Status("succeeded"));
            OrchestratorMetrics.DispatchLatency.Record(0.01);
        }
        Target(); // JIT and first-use initialization before measuring
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++)
        {
            Target();
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, spans);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Start_WithAListener_IsAChildOfTheStoredContext_AndPassesItsOwnDown()
    {
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == OrchestratorTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);

        using (var span = RunTrace.Start("orchestrator.step.start", Parent))
        {
            Assert.NotNull(span);
            Assert.Equal("0af7651916cd43dd8448eb211c80319c", span.TraceId.ToHexString());
            Assert.Equal("b7ad6b7169203331", span.ParentSpanId.ToHexString());
            Assert.Same(span, Activity.Current);
            Assert.Equal(span.Id, RunTrace.Id(span, Parent));
            Assert.Equal(span.Id, RunTrace.Current());
        }
        Assert.Null(RunTrace.Start("orchestrator.step.start", null)); // a run without a trace gets no span
        Assert.Null(RunTrace.Start("orchestrator.step.start", "not-a-traceparent"));
    }
}
