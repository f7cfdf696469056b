using Orchestrator.GrainInterfaces;
using Orchestrator.Plans.Model;

namespace Orchestrator.Grains.Steps;

/// <summary>When an approval step ends, and the reason it shows.</summary>
public static class ApprovalRules
{
    /// <summary>
    /// After <paramref name="decision"/> was added to <paramref name="approvals"/>: a rejection fails the step at once;
    /// approvals end it as succeeded once <paramref name="required"/> different people (names compared ignoring case)
    /// approved. Null: it waits for more.
    /// </summary>
    public static (ExecutionStatus Final, string Reason)? Decide(IReadOnlyList<ApprovalRecord> approvals, ApprovalDecision decision, int required)
    {
        if (!decision.Approve)
        {
            return (ExecutionStatus.Failed, $"Rejected by {decision.By}" + (decision.Reason is null ? "." : $": {decision.Reason}"));
        }
        var approvers = approvals.Where(a => a.Approve).Select(a => a.By).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        return approvers.Count >= required ? (ExecutionStatus.Succeeded, $"Approved by {string.Join(", ", approvers)}.") : null;
    }

    /// <summary>An entry of <see cref="ApprovalSpec.Approvers"/> naming a role rather than a principal: <c>role:admin</c>.</summary>
    public const string RolePrefix = "role:";

    /// <summary>
    /// Whether <paramref name="by"/>, holding <paramref name="roles"/>, may decide a step whose approvers are
    /// <paramref name="approvers"/>: none listed means any approver; otherwise the principal is listed (names compared
    /// ignoring case) or holds a listed <c>role:&lt;name&gt;</c>.
    /// </summary>
    public static bool MayDecide(IReadOnlyList<string> approvers, string by, IReadOnlyList<string>? roles)
    {
        ArgumentNullException.ThrowIfNull(approvers);
        if (approvers.Count == 0)
        {
            return true;
        }
        foreach (var approver in approvers)
        {
            if (approver.StartsWith(RolePrefix, StringComparison.Ordinal))
            {
                if (roles?.Contains(approver[RolePrefix.Length..], StringComparer.Ordinal) == true)
                {
                    return true;
                }
            }
            else if (string.Equals(approver, by, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>No decision came in time: the plan's <see cref="ApprovalSpec.OnTimeout"/> says which way it ends.</summary>
    public static (ExecutionStatus Final, string Reason) TimedOut(ApprovalTimeoutAction? onTimeout) => onTimeout == ApprovalTimeoutAction.Approve
        ? (ExecutionStatus.Succeeded, "Approved: the approval timed out and the plan approves on timeout.")
        : (ExecutionStatus.Failed, "Rejected: the approval timed out.");
}
