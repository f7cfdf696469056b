using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Orchestrator.Api.Agents;

/// <summary>
/// The credential an agent gets at registration and presents on every later call (docs/agent-protocol.md):
/// <c>orcha.&lt;session&gt;.&lt;mac&gt;</c>, the agent's session id (base64url) signed with HMAC-SHA256 under a key
/// derived from the registration token. Checking one costs no grain call and no database read, whatever the number of
/// hosts the agent answers for, and every silo and API process of a cluster accepts it (they share the registration
/// token); changing the registration token retires every credential (agents register again). Revocation is by host
/// and by session, read from <see cref="GrainInterfaces.AgentRevocations"/> rows. Pure: unit-tested.
/// </summary>
public sealed class AgentCredentials
{
    public const string Prefix = "orcha.";

    private readonly byte[] _key;

    public AgentCredentials(string registrationToken)
    {
        ArgumentNullException.ThrowIfNull(registrationToken);
        // A key of its own, so that a credential never reveals anything usable as the registration token.
        _key = HMACSHA256.HashData(Encoding.UTF8.GetBytes(registrationToken), "orchestrator agent credential v1"u8);
    }

    public string Issue(string sessionId)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        var payload = Encoding.UTF8.GetBytes(sessionId);
        return Prefix + Base64Url.EncodeToString(payload) + "." + Base64Url.EncodeToString(HMACSHA256.HashData(_key, payload));
    }

    /// <summary>The session the credential was issued to; false when it is not one this server issued.</summary>
    public bool TryVerify(string? credential, out string sessionId)
    {
        sessionId = "";
        if (credential is null || !credential.StartsWith(Prefix, StringComparison.Ordinal) || credential.Length > 512)
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
}
