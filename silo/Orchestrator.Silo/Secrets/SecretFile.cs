using System.Security.Cryptography;

namespace Orchestrator.Silo.Secrets;

/// <summary>What <see cref="SecretFile.ReadOrCreate"/> found.</summary>
public enum SecretFileOutcome
{
    /// <summary>The file held a secret from an earlier start: it is reused.</summary>
    Read,

    /// <summary>There was none (or the file was empty): a new one was generated and written.</summary>
    Created,
}

/// <summary>
/// A secret the silo makes once and keeps in a file beside its data (<c>data/agent-token</c>,
/// <c>data/jobs-secret</c>): read when the file holds one, so agents and Harbor keep working across restarts;
/// otherwise generated (256 random bits, hex) and written. The file is the owner's alone (0600): created so, and
/// tightened to it when an earlier version left it readable by others.
/// </summary>
public static class SecretFile
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static (string Secret, SecretFileOutcome Outcome) ReadOrCreate(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        if (File.Exists(path))
        {
            Restrict(path);
            var existing = File.ReadAllText(path).Trim();
            if (existing.Length > 0)
            {
                return (existing, SecretFileOutcome.Read);
            }
        }
        var secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();
        // Written beside and renamed over: a crash mid-write leaves the old file or none, never half a secret.
        var temporary = path + ".new";
        File.Delete(temporary); // a leftover of a crash; created anew below, so with our mode
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }
        using (var writer = new StreamWriter(temporary, System.Text.Encoding.ASCII, options))
        {
            writer.Write(secret + "\n");
        }
        Restrict(temporary);
        File.Move(temporary, path, overwrite: true);
        return (secret, SecretFileOutcome.Created);
    }

    private static void Restrict(string path)
    {
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & ~OwnerOnly) != 0)
        {
            File.SetUnixFileMode(path, OwnerOnly);
        }
    }
}
