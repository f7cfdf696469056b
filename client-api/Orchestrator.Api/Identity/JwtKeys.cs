using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Orchestrator.Api.Identity;

/// <summary>Reads <see cref="AuthOptions.JwtSigningKey"/>: <c>base64:&lt;bytes&gt;</c> (HMAC) or an RSA public key in PEM.</summary>
public static class JwtKeys
{
    public const string Base64Prefix = "base64:";

    /// <summary>Null when the text is a usable key; else why not (never quoting the key).</summary>
    public static string? Problem(string text)
    {
        try
        {
            _ = Read(text);
            return null;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or CryptographicException)
        {
            return e.Message;
        }
    }

    public static SecurityKey Read(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = text.Trim();
        if (text.StartsWith(Base64Prefix, StringComparison.Ordinal))
        {
            byte[] bytes;
            try
            {
                bytes = Convert.FromBase64String(text[Base64Prefix.Length..]);
            }
            catch (FormatException)
            {
                throw new FormatException("the text after 'base64:' is not base64.");
            }
            return bytes.Length >= 32 ? new SymmetricSecurityKey(bytes) : throw new FormatException($"a symmetric key needs at least 32 bytes, not {bytes.Length}.");
        }
        if (text.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            var rsa = RSA.Create();
            try
            {
                rsa.ImportFromPem(text);
            }
            catch (ArgumentException)
            {
                rsa.Dispose();
                throw new FormatException("not an RSA key in PEM.");
            }
            return new RsaSecurityKey(rsa);
        }
        throw new FormatException("give 'base64:<key bytes>' for a symmetric key or an RSA public key in PEM.");
    }
}
