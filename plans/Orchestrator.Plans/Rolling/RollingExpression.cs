using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Orchestrator.Plans.Rolling;

/// <summary>
/// bk-job's rolling expression: parts separated by spaces; batch k uses part min(k, parts), so the last part repeats.
/// <c>N</c> = N targets; <c>N%</c> = ceil(total·N/100) of all targets; <c>+N</c> = previous batch + N;
/// <c>*N</c> = previous batch × N. Example: <c>1 10% +5 *2</c>.
/// </summary>
public sealed class RollingExpression
{
    private readonly RollingPart[] _parts;

    private RollingExpression(RollingPart[] parts) => _parts = parts;

    /// <summary>The parts in order; the last one repeats for every later batch.</summary>
    public IReadOnlyList<RollingPart> Parts => _parts;

    /// <summary>Parses an expression; throws <see cref="FormatException"/> naming the bad part.</summary>
    public static RollingExpression Parse(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        return TryParse(expression, out var parsed, out var error) ? parsed : throw new FormatException(error);
    }

    /// <summary>Parses an expression without throwing; <paramref name="error"/> names the bad part.</summary>
    public static bool TryParse(
        string? expression,
        [NotNullWhen(true)] out RollingExpression? result,
        [NotNullWhen(false)] out string? error)
    {
        result = null;
        var tokens = (expression ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (tokens.Length == 0)
        {
            error = "The rolling expression is empty; give batch sizes such as '1 10% +5'.";
            return false;
        }

        var parts = new RollingPart[tokens.Length];
        for (var i = 0; i < tokens.Length; i++)
        {
            if (!TryParsePart(tokens[i], i == 0, out parts[i], out var reason))
            {
                error = $"Rolling expression part '{tokens[i]}' (part {i + 1} of '{expression}') is not valid: {reason}";
                return false;
            }
        }

        result = new RollingExpression(parts);
        error = null;
        return true;
    }

    /// <summary>The batch sizes for <paramref name="total"/> targets: each at least 1, summing to total (the last one cut short).</summary>
    public IReadOnlyList<int> BatchSizes(int total)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(total);
        var sizes = new List<int>();
        var remaining = total;
        long previous = 0;
        while (remaining > 0)
        {
            var part = _parts[Math.Min(sizes.Count, _parts.Length - 1)];
            long size = part.Kind switch
            {
                RollingPartKind.Count => part.Value,
                RollingPartKind.Percent => (long)Math.Ceiling(total * (long)part.Value / 100.0),
                RollingPartKind.Add => previous + part.Value,
                _ => previous * part.Value,
            };
            var batch = (int)Math.Clamp(size, 1, remaining);
            sizes.Add(batch);
            remaining -= batch;
            previous = batch;
        }

        return sizes;
    }

    /// <summary>The expression in canonical form: the parts joined by single spaces.</summary>
    public override string ToString() => string.Join(' ', _parts);

    private static bool TryParsePart(string token, bool first, out RollingPart part, [NotNullWhen(false)] out string? reason)
    {
        part = default;
        var kind = token[0] switch
        {
            '+' => RollingPartKind.Add,
            '*' => RollingPartKind.Multiply,
            _ => token[^1] == '%' ? RollingPartKind.Percent : RollingPartKind.Count,
        };
        var digits = kind switch
        {
            RollingPartKind.Add or RollingPartKind.Multiply => token[1..],
            RollingPartKind.Percent => token[..^1],
            _ => token,
        };

        if (digits.Length == 0 || !digits.All(char.IsAsciiDigit)
            || !int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            reason = "expected N, N%, +N or *N with N a positive whole number.";
            return false;
        }

        if (value == 0)
        {
            reason = "zero is not a batch size; N must be at least 1.";
            return false;
        }

        if (kind == RollingPartKind.Percent && value > 100)
        {
            reason = "a percentage cannot exceed 100%.";
            return false;
        }

        if (first && kind is RollingPartKind.Add or RollingPartKind.Multiply)
        {
            reason = $"'{token[0]}N' grows the previous batch, and the first batch has none.";
            return false;
        }

        part = new RollingPart(kind, value);
        reason = null;
        return true;
    }
}

/// <summary>How one part of a <see cref="RollingExpression"/> sizes its batch.</summary>
public enum RollingPartKind
{
    /// <summary><c>N</c>: N targets.</summary>
    Count,

    /// <summary><c>N%</c>: ceil(total·N/100) of all targets.</summary>
    Percent,

    /// <summary><c>+N</c>: the previous batch plus N.</summary>
    Add,

    /// <summary><c>*N</c>: the previous batch times N.</summary>
    Multiply,
}

/// <summary>One part of a <see cref="RollingExpression"/>.</summary>
public readonly record struct RollingPart(RollingPartKind Kind, int Value)
{
    public override string ToString() => Kind switch
    {
        RollingPartKind.Percent => $"{Value}%",
        RollingPartKind.Add => $"+{Value}",
        RollingPartKind.Multiply => $"*{Value}",
        _ => Value.ToString(CultureInfo.InvariantCulture),
    };
}
