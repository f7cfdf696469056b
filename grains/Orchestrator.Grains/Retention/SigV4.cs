using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Orchestrator.Grains.Retention;

/// <summary>
/// AWS Signature Version 4 for S3-compatible requests signed in the <c>Authorization</c> header, written from AWS's
/// documented algorithm: a canonical request (method, URI, query, the signed headers, the payload's SHA-256), the
/// string to sign over its hash, and an HMAC-SHA256 key derived from the secret for the day, region and service.
/// </summary>
internal static class SigV4
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>The SHA-256 of an empty payload, in lowercase hex.</summary>
    public const string EmptyPayload = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /// <summary><c>x-amz-date</c>'s format: the request's time in UTC, to the second.</summary>
    public static string AmzDate(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// The <c>Authorization</c> header's value. <paramref name="headers"/> are the signed headers (names in any case;
    /// they must include <c>host</c> and <c>x-amz-date</c>, and for S3 <c>x-amz-content-sha256</c>);
    /// <paramref name="canonicalUri"/> is the path already URI-encoded once (<see cref="EncodePath"/>), and
    /// <paramref name="canonicalQuery"/> the sorted, encoded query (empty when none).
    /// </summary>
    public static string Authorization(string method, string canonicalUri, string canonicalQuery, IEnumerable<KeyValuePair<string, string>> headers,
        string payloadSha256, string accessKey, string secretKey, string region, string service, DateTimeOffset at)
    {
        var sorted = headers.Select(h => (Name: h.Key.Trim().ToLowerInvariant(), Value: Collapse(h.Value)))
            .OrderBy(h => h.Name, StringComparer.Ordinal).ToList();
        var signedHeaders = string.Join(';', sorted.Select(h => h.Name));
        var canonical = new StringBuilder()
            .Append(method).Append('\n')
            .Append(canonicalUri).Append('\n')
            .Append(canonicalQuery).Append('\n');
        foreach (var (name, value) in sorted)
        {
            canonical.Append(name).Append(':').Append(value).Append('\n');
        }
        canonical.Append('\n').Append(signedHeaders).Append('\n').Append(payloadSha256);

        var day = at.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var scope = $"{day}/{region}/{service}/aws4_request";
        var toSign = $"{Algorithm}\n{AmzDate(at)}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())))}";
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + secretKey), day);
        key = Hmac(key, region);
        key = Hmac(key, service);
        key = Hmac(key, "aws4_request");
        var signature = Hex(Hmac(key, toSign));
        return $"{Algorithm} Credential={accessKey}/{scope},SignedHeaders={signedHeaders},Signature={signature}";
    }

    /// <summary>A path with each segment URI-encoded as SigV4 wants: unreserved characters kept, the rest %XX in upper case.</summary>
    public static string EncodePath(string path) => string.Join('/', path.Split('/').Select(Encode));

    /// <summary>One URI component, encoded as SigV4 wants.</summary>
    public static string Encode(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }
        return builder.ToString();
    }

    public static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    /// <summary>A header value trimmed, with runs of spaces inside made one space.</summary>
    private static string Collapse(string value) => string.Join(' ', value.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries));
}
