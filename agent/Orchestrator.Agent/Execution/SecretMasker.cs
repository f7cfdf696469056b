namespace Orchestrator.Agent.Execution;

/// <summary>
/// Replaces an assignment's secrets with <c>***</c>. A secret spanning lines is also masked line by line, since
/// output is masked a line at a time.
/// </summary>
internal sealed class SecretMasker
{
    private const string Mask = "***";
    private readonly string[] secrets;

    public SecretMasker(IEnumerable<string> secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        this.secrets = secrets
            .SelectMany(s => s.Contains('\n', StringComparison.Ordinal) ? s.Split('\n').Select(l => l.TrimEnd('\r')).Append(s) : [s])
            .Where(s => !string.IsNullOrWhiteSpace(s))
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(s => s.Length)
            .ToArray();
        LongestSecret = this.secrets.Length == 0 ? 0 : this.secrets[0].Length;
    }

    /// <summary>Length of the longest value masked; text cut into pieces must overlap by one less than this.</summary>
    public int LongestSecret { get; }

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
}
