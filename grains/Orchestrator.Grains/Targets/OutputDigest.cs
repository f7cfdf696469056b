using System.Security.Cryptography;
using System.Text;
using Orchestrator.GrainInterfaces;

namespace Orchestrator.Grains.Targets;

/// <summary>
/// The digest and excerpt of a run's output, for grouping hosts by identical output: SHA-256 over the UTF-8 text of
/// the run's stdout and stderr chunks in order (system chunks, the server's own markers, are left out), of at most
/// <see cref="MaxChars"/> characters — two outputs equal in their first 64 Ki characters group together. The excerpt is
/// the output's first <see cref="ExcerptChars"/> characters, trimmed. Logs are masked by the agent before they are
/// stored, so neither carries a secret the log does not show. Pure.
/// </summary>
public sealed class OutputDigest : IDisposable
{
    /// <summary>Characters of output hashed.</summary>
    public const int MaxChars = 64 * 1024;

    public const int ExcerptChars = 160;

    /// <summary>The digest of a run without output (no log, or a target that never ran).</summary>
    public static readonly string Empty = Hex(SHA256.HashData([]));

    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly StringBuilder _excerpt = new();
    private int _chars;

    /// <summary>Whether the cap is reached (more text changes nothing).</summary>
    public bool Full => _chars >= MaxChars;

    /// <summary>Adds a chunk of <paramref name="channel"/> (stdout, stderr or system).</summary>
    public void Append(string channel, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (channel == "system" || Full || text.Length == 0)
        {
            return;
        }
        var take = text.Length <= MaxChars - _chars ? text : text[..(MaxChars - _chars)];
        _chars += take.Length;
        _hash.AppendData(Encoding.UTF8.GetBytes(take));
        if (_excerpt.Length < ExcerptChars * 2)
        {
            _excerpt.Append(take.AsSpan(0, Math.Min(take.Length, ExcerptChars * 2 - _excerpt.Length)));
        }
    }

    /// <summary>The digest (<see cref="OutputGroupKey.DigestLength"/> hex digits) and the excerpt (null: no output).</summary>
    public (string Digest, string? Excerpt) Finish()
    {
        var digest = Hex(_hash.GetHashAndReset());
        var excerpt = _excerpt.ToString().Trim();
        return (digest, excerpt.Length == 0 ? null : excerpt.Length > ExcerptChars ? excerpt[..ExcerptChars] : excerpt);
    }

    public void Dispose() => _hash.Dispose();

    private static string Hex(byte[] hash) => Convert.ToHexStringLower(hash)[..OutputGroupKey.DigestLength];
}
