namespace Orchestrator.Silo;

/// <summary>
/// Settings read from files: <c>ORCH_&lt;SETTING&gt;_FILE=/path</c> sets <c>ORCH_&lt;SETTING&gt;</c> to the file's content,
/// for every setting (<c>ORCH_CONNECTION_STRING_FILE</c>, <c>ORCH_AGENT_TOKEN_FILE</c>, <c>ORCH_ADMIN_TOKEN_FILE</c>,
/// <c>ORCH_JOBS_SECRET_FILE</c>, ...). This is how a Kubernetes Secret mounted as a volume, a Docker secret or a systemd
/// credential reaches the silo without putting the secret in the environment (which <c>/proc/&lt;pid&gt;/environ</c>,
/// <c>docker inspect</c> and crash dumps show). One trailing line break is dropped (<c>echo … &gt; file</c> adds one); the rest
/// is the value as written. A file that cannot be read, an empty file, and a setting given both ways are problems naming
/// the variable; the path is named, the content never.
/// </summary>
public static class SettingFiles
{
    public const string Suffix = "_FILE";

    /// <summary>
    /// The settings given as files in <paramref name="environment"/>, as <c>ORCH_*</c> variable names and values (to be
    /// read like the other variables); <paramref name="problems"/> gets one message per bad one.
    /// </summary>
    public static Dictionary<string, string?> Read(IReadOnlyDictionary<string, string?> environment, Func<string, bool> isSetting, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(isSetting);
        ArgumentNullException.ThrowIfNull(problems);
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (key, path) in environment.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (!key.StartsWith("ORCH_", StringComparison.Ordinal) || !key.EndsWith(Suffix, StringComparison.Ordinal) || key.Length <= 5 + Suffix.Length)
            {
                continue;
            }
            var variable = key[..^Suffix.Length];
            if (!isSetting(variable))
            {
                continue; // not ours (like other unknown ORCH_* variables), or a setting whose own name ends in _FILE
            }
            if (string.IsNullOrEmpty(path))
            {
                problems.Add($"{key}: empty; set it to the path of a file holding {variable}, or unset it.");
                continue;
            }
            if (!string.IsNullOrEmpty(environment.GetValueOrDefault(variable)))
            {
                problems.Add($"{key}: {variable} is set too; set one of them.");
                continue;
            }
            string text;
            try
            {
                text = File.ReadAllText(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                // The exception's message names the path, never the content: there is none.
                problems.Add($"{key}: cannot read '{path}' ({ex.GetType().Name}: {ex.Message}).");
                continue;
            }
            var value = DropOneLineBreak(text);
            if (value.Length == 0)
            {
                problems.Add($"{key}: '{path}' is empty.");
                continue;
            }
            values[variable] = value;
        }
        return values;
    }

    private static string DropOneLineBreak(string text) =>
        text.EndsWith("\r\n", StringComparison.Ordinal) ? text[..^2]
        : text.EndsWith('\n') ? text[..^1]
        : text;
}
