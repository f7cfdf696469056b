using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Orchestrator.Api.Identity;

/// <summary>
/// The text of an API token: <c>orch_&lt;id&gt;_&lt;secret&gt;</c>. The id (12 characters of [a-z0-9]) names the
/// token grain, so verifying is one grain read; the secret is 32 random bytes in base64url (43 characters, no padding)
/// and only its SHA-256 is stored. The prefix lets secret scanners and people recognise a leaked token. Pure: unit-tested.
/// </summary>
public static class TokenText
{
    public const string Prefix = "orch_";

    public const int IdLength = 12;

    public const int SecretLength = 43;

    private const string IdAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>A new token: its id, its full text (shown once), and the hash to store.</summary>
    public static (string Id, string Text, byte[] Hash) New()
    {
        var id = RandomNumberGenerator.GetString(IdAlphabet, IdLength);
        var secret = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        return (id, Format(id, secret), Hash(secret));
    }

    public static string Format(string id, string secret) => $"{Prefix}{id}_{secret}";

    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    /// <summary>Whether <paramref name="text"/> has the token shape; the id and secret when it does.</summary>
    public static bool TryParse(string? text, out string id, out string secret)
    {
        id = secret = "";
        if (text is null || text.Length != Prefix.Length + IdLength + 1 + SecretLength || !text.StartsWith(Prefix, StringComparison.Ordinal)
            || text[Prefix.Length + IdLength] != '_')
        {
            return false;
        }
        var idPart = text.AsSpan(Prefix.Length, IdLength);
        var secretPart = text.AsSpan(Prefix.Length + IdLength + 1);
        if (idPart.ContainsAnyExcept(IdAlphabet) || !Base64Url.IsValid(secretPart, out var bytes) || bytes != 32)
        {
            return false;
        }
        id = idPart.ToString();
        secret = secretPart.ToString();
        return true;
    }

    /// <summary>Whether <paramref name="text"/> looks meant as an API token (its prefix), well-formed or not.</summary>
    public static bool LooksLikeToken(string text) => text.StartsWith(Prefix, StringComparison.Ordinal);
}
