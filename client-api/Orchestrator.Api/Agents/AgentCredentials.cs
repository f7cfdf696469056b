using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Orchestrator.Api.Agents;

/// <summary>
/// The credential an agent gets at registration and presents on every later call (docs/agent-protocol.md):
/// <c>orcha.&lt;session&gt;.&lt;mac&gt;</c>, the agent's session id (base64url) signed with HMAC-SHA256 under a key
/// derived from the registration token; an agent registered with a namespace's token (the <c>agent</c> role) gets
/// <c>orchn.&lt;namespace&gt;.&lt;session&gt;.&lt;mac&gt;</c>, its namespace signed with the session, and is handed
/// only that namespace's work. Checking one costs no grain call and no database read, whatever the number of
/// hosts the agent answers for, and every silo and API process of a cluster accepts it (they share the registration
/// token); changing the registration token retires every credential (agents register again). Revocation is by host
/// and by session, read from <see cref="GrainInterfaces.AgentRevocations"/> rows. Pure: unit-tested.
/// </summary>
public sealed class AgentCredentials
{
    public const string Prefix = "orcha.";

    /// <summary>The prefix of a credential bound to one namespace.</summary>
    public const string ScopedPrefix = "orchn.";

    private readonly byte[] _key;

    public AgentCredentials(string registrationToken)
    {
        ArgumentNullException.ThrowIfNull(registrationToken);
        // A key of its own, so that a credential never reveals anything usable as the registration token.
        _key = HMACSHA256.HashData(Encoding.UTF8.GetBytes(registrationToken), "orchestrator agent credential v1"u8);
    }

    /// <summary>A credential for <paramref name="sessionId"/>; bound to <paramref name="scope"/> unless it is null (every namespace).</summary>
    public string Issue(string sessionId, string? scope = null)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        var session = Encoding.UTF8.GetBytes(sessionId);
        if (scope is null)
        {
            return Prefix + Base64Url.EncodeToString(session) + "." + Base64Url.EncodeToString(HMACSHA256.HashData(_key, session));
        }
        var ns = Encoding.UTF8.GetBytes(scope);
        return ScopedPrefix + Base64Url.EncodeToString(ns) + "." + Base64Url.EncodeToString(session) + "." + Base64Url.EncodeToString(Mac(ns, session));
    }

    /// <summary>The session the credential was issued to; false when it is not one this server issued.</summary>
    public bool TryVerify(string? credential, out string sessionId) => TryVerify(credential, out sessionId, out _);

    /// <summary>
    /// The session the credential was issued to and the namespace it is bound to (null: every namespace); false when it
    /// is not one this server issued.
    /// </summary>
    public bool TryVerify(string? credential, out string sessionId, out string? scope)
    {
        sessionId = "";
        scope = null;
        if (credential is null || credential.Length > 512)
        {
            return false;
        }
        if (credential.StartsWith(ScopedPrefix, StringComparison.Ordinal))
        {
            var scoped = credential[ScopedPrefix.Length..].Split('.');
            if (scoped.Length != 3 || !Base64Url.IsValid(scoped[0]) || !Base64Url.IsValid(scoped[1]) || !Base64Url.IsValid(scoped[2], out var length) || length != 32)
            {
                return false;
            }
            var ns = Base64Url.DecodeFromChars(scoped[0]);
            var session = Base64Url.DecodeFromChars(scoped[1]);
            if (!CryptographicOperations.FixedTimeEquals(Mac(ns, session), Base64Url.DecodeFromChars(scoped[2])))
            {
                return false;
            }
            sessionId = Encoding.UTF8.GetString(session);
            scope = Encoding.UTF8.GetString(ns);
            return true;
        }
        if (!credential.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }
        var parts = credential[Prefix.Length..].Split('.');
        if (parts.Length != 2 || !Base64Url.IsValid(parts[0]) || !Base64Url.IsValid(parts[1], out var macLength) || macLength != 32)
        {
            return false;
        }
        var payload = Base64Url.DecodeFromChars(parts[0]);
        if (!CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(_key, payload), Base64Url.DecodeFromChars(parts[1])))
        {
            return false;
        }
        sessionId = Encoding.UTF8.GetString(payload);
        return true;
    }

    /// <summary>The MAC of a scoped credential: over a domain tag, the namespace and the session, so that neither part can be moved to the other.</summary>
    private byte[] Mac(byte[] ns, byte[] session)
    {
        var message = new byte[7 + 4 + ns.Length + session.Length];
        "scoped:"u8.CopyTo(message);
        BitConverter.TryWriteBytes(message.AsSpan(7, 4), ns.Length);
        ns.CopyTo(message, 11);
        session.CopyTo(message, 11 + ns.Length);
        return HMACSHA256.HashData(_key, message);
    }
}
