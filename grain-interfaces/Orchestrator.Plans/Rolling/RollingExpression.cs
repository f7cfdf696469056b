namespace Orchestrator.Plans.Rolling;

/// <summary>
/// bk-job's rolling expression: parts separated by spaces; batch k uses part min(k, parts), so the last part repeats.
/// <c>N</c> = N targets; <c>N%</c> = ceil(total·N/100) of all targets; <c>+N</c> = previous batch + N;
/// <c>*N</c> = previous batch × N. Example: <c>1 10% +5 *2</c>.
/// </summary>
public sealed class RollingExpression
{
    /// <summary>Parses an expression; throws <see cref="FormatException"/> naming the bad part.</summary>
    public static RollingExpression Parse(string expression) => throw new NotImplementedException();

    /// <summary>The batch sizes for <paramref name="total"/> targets: each at least 1, summing to total (the last one cut short).</summary>
    public IReadOnlyList<int> BatchSizes(int total) => throw new NotImplementedException();
}
