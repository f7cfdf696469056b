using System.Text.RegularExpressions;

namespace Orchestrator.Grains.Retention;

/// <summary>
/// An S3-compatible bucket given as one URL, path-style: <c>https://s3.eu-west-1.amazonaws.com/my-bucket/orch/archive</c>
/// is the endpoint <c>https://s3.eu-west-1.amazonaws.com</c>, the bucket <c>my-bucket</c> and the key prefix
/// <c>orch/archive</c> (MinIO, Ceph, Garage and the cloud providers' S3 APIs all accept path-style requests).
/// </summary>
internal sealed partial record BucketAddress(Uri Endpoint, string Bucket, string Prefix)
{
    /// <summary>Parses <paramref name="url"/>; on failure <paramref name="problem"/> says why (naming no credential: the URL may not hold one).</summary>
    public static BucketAddress? Parse(string url, out string? problem)
    {
        problem = null;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            problem = "not an absolute http or https URL such as https://s3.eu-west-1.amazonaws.com/my-bucket/prefix";
            return null;
        }
        if (uri.UserInfo.Length > 0)
        {
            problem = "it holds credentials; give them as ArchiveBucketAccessKey and ArchiveBucketSecretKey instead";
            return null;
        }
        if (uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            problem = "it has a query or fragment; give the endpoint, the bucket and an optional key prefix as the path";
            return null;
        }
        var segments = Uri.UnescapeDataString(uri.AbsolutePath).Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0)
        {
            problem = "it names no bucket: the first path segment is the bucket (path-style), e.g. https://host/my-bucket";
            return null;
        }
        if (!BucketName().IsMatch(segments[0]))
        {
            problem = $"'{segments[0]}' is not a bucket name: 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit";
            return null;
        }
        if (segments.Skip(1).Any(s => s is "." or ".."))
        {
            problem = "its key prefix has '.' or '..' segments";
            return null;
        }
        var endpoint = new Uri(uri.GetLeftPart(UriPartial.Authority));
        return new BucketAddress(endpoint, segments[0], string.Join('/', segments.Skip(1)));
    }

    /// <summary>The object key of an archive file's relative name.</summary>
    public string KeyOf(string name) => Prefix.Length == 0 ? name : $"{Prefix}/{name}";

    /// <summary>The path of an object, encoded once (the canonical URI of its requests).</summary>
    public string PathOf(string name) => "/" + SigV4.Encode(Bucket) + "/" + SigV4.EncodePath(KeyOf(name));

    /// <summary>The <c>host</c> header as sent: the port only when it is not the scheme's default.</summary>
    public string Host => Endpoint.IsDefaultPort ? Endpoint.Host : $"{Endpoint.Host}:{Endpoint.Port}";

    public override string ToString() => Prefix.Length == 0 ? $"{Endpoint.GetLeftPart(UriPartial.Authority)}/{Bucket}" : $"{Endpoint.GetLeftPart(UriPartial.Authority)}/{Bucket}/{Prefix}";

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")]
    private static partial Regex BucketName();
}
