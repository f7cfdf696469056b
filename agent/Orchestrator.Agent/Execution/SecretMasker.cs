namespace Orchestrator.Agent.Execution;

/// <summary>
/// Replaces an assignment's secrets with <c>***</c>. A secret spanning lines is also masked line by line, since
/// output is masked a line at a time.
/// <para>
/// A value (a secret, or one line of a multi-line secret) with fewer than <see cref="MinMaskedLength"/> characters
/// other than white space is not masked: replacing every <c>a</c> or <c>}</c> of a log by <c>***</c> makes the log
/// unreadable and shows the value to anyone who compares it with what the script printed, so masking it would protect
/// nothing. Such values are counted (<see cref="Unmasked"/>) so the log can say that some were left as they are.
/// </para>
/// </summary>
internal sealed class SecretMasker
{
    /// <summary>The fewest characters (not counting white space) a value must have to be masked.</summary>
    public const int MinMaskedLength = 4;

    private const string Mask = "***";
    private readonly string[] secrets;

    public SecretMasker(IEnumerable<string> secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        var values = secrets
            .SelectMany(s => s.Contains('\n', StringComparison.Ordinal) ? s.Split('\n').Select(l => l.TrimEnd('\r')).Append(s) : [s])
            .Where(s => !string.IsNullOrWhiteSpace(s))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        this.secrets = [.. values.Where(IsMaskable).OrderByDescending(s => s.Length)];
        Unmasked = values.Count - this.secrets.Length;
        LongestSecret = this.secrets.Length == 0 ? 0 : this.secrets[0].Length;
    }

    /// <summary>Length of the longest value masked; text cut into pieces must overlap by one less than this.</summary>
    public int LongestSecret { get; }

    /// <summary>How many distinct values (secrets or lines of them) are too short to be masked.</summary>
    public int Unmasked { get; }

    /// <summary>The line the log gets when some values are too short to be masked (it names none of them), or null.</summary>
    public string? UnmaskedNotice => Unmasked == 0
        ? null
        : $"{Unmasked} secret value(s) or line(s) of a multi-line secret have fewer than {MinMaskedLength} characters and are not masked: " +
          "masking something that short everywhere would garble the log and give it away. Use longer secrets.";

    public string Apply(string text)
    {
        foreach (var secret in secrets)
        {
            if (text.Contains(secret, StringComparison.Ordinal))
            {
                text = text.Replace(secret, Mask, StringComparison.Ordinal);
            }
        }
        return text;
    }

    private static bool IsMaskable(string value)
    {
        var visible = 0;
        foreach (var c in value)
        {
            if (!char.IsWhiteSpace(c) && ++visible >= MinMaskedLength)
            {
                return true;
            }
        }
        return false;
    }
}
