using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Orchestrator.Containers.Jobs;

/// <summary>
/// Which run a Job belongs to: one target attempt of one step of one task instance, on one cluster. The Job's name is a
/// function of it alone (<see cref="JobName"/>), so a create retried after a crash names the same Job and finds it
/// instead of making a second one.
/// </summary>
/// <param name="InstanceId">The task instance's id.</param>
/// <param name="StepIndex">The step's index in the plan (0-based).</param>
/// <param name="StepName">The step's name in the plan: only the readable part of the Job's name, not its identity.</param>
/// <param name="Cluster">The registered cluster's name.</param>
/// <param name="Attempt">The target attempt, 1 for the first; a retry is a new Job.</param>
public sealed partial record JobIdentity(string InstanceId, int StepIndex, string StepName, string Cluster, int Attempt)
{
    /// <summary>Kubernetes' limit for a Job's name: its pods carry it in a label, and a label value is at most 63 characters.</summary>
    public const int MaxNameLength = 63;

    private const string Prefix = "orch-";

    /// <summary>Characters of the step name kept in the Job's name, so that <c>kubectl get jobs</c> reads.</summary>
    private const int ReadablePartLength = 40;

    /// <summary>
    /// <c>orch-&lt;step name, made a DNS label&gt;-&lt;16 hex digits&gt;</c>: at most 63 characters of lower-case letters,
    /// digits and <c>-</c>. The digits are the first 64 bits of the SHA-256 of instance, step index, cluster and
    /// attempt; the step name is not part of the hash (it is in the plan, fixed for the instance).
    /// </summary>
    public string JobName
    {
        get
        {
            var readable = NotLabelChars().Replace(StepName.ToLowerInvariant(), "-").Trim('-');
            readable = Dashes().Replace(readable, "-");
            if (readable.Length > ReadablePartLength)
            {
                readable = readable[..ReadablePartLength].TrimEnd('-');
            }

            var hash = Hash($"{InstanceId}\n{StepIndex}\n{Cluster}\n{Attempt}");
            return readable.Length == 0 ? $"{Prefix}{hash}" : $"{Prefix}{readable}-{hash}";
        }
    }

    /// <summary>The first 64 bits of the SHA-256 of <paramref name="text"/>, as 16 lower-case hex digits.</summary>
    internal static string Hash(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 8));

    [GeneratedRegex("[^a-z0-9-]+", RegexOptions.CultureInvariant)]
    private static partial Regex NotLabelChars();

    [GeneratedRegex("-{2,}", RegexOptions.CultureInvariant)]
    private static partial Regex Dashes();
}
