using Orchestrator.Grains.Retention;

namespace Orchestrator.Grains.Tests.Retention;

/// <summary>
/// The request signer against AWS's own published examples (the S3 documentation's "GET Object" with a Range header
/// and "PUT Object": bucket <c>examplebucket</c>, the documented example keys, 2013-05-24T00:00:00Z). These are the
/// proof that our signatures are right: s3rver, the S3 server the retention tests archive to, checks the request's
/// form and credentials but not version 4 signatures (its source says so).
/// </summary>
public sealed class SigV4Tests
{
    private const string AccessKey = "AKIAIOSFODNN7EXAMPLE";
    private const string SecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private static readonly DateTimeOffset At = new(2013, 5, 24, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Authorization_AwsGetObjectExample_MatchesThePublishedSignature()
    {
        var headers = new Dictionary<string, string>
        {
            ["Host"] = "examplebucket.s3.amazonaws.com",
            ["Range"] = "bytes=0-9",
            ["x-amz-content-sha256"] = SigV4.EmptyPayload,
            ["x-amz-date"] = SigV4.AmzDate(At),
        };

        var authorization = SigV4.Authorization("GET", "/test.txt", "", headers, SigV4.EmptyPayload, AccessKey, SecretKey, "us-east-1", "s3", At);

        Assert.Equal(
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41", authorization);
    }

    [Fact]
    public void Authorization_AwsPutObjectExample_MatchesThePublishedSignature()
    {
        // The S3 documentation's "PUT Object": body "Welcome to Amazon S3.", a Date and a storage-class header signed too,
        // and a '$' in the key that the canonical URI encodes.
        const string payload = "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072";
        Assert.Equal(payload, SigV4.Hex(System.Security.Cryptography.SHA256.HashData("Welcome to Amazon S3."u8)));
        var headers = new Dictionary<string, string>
        {
            ["Date"] = "Fri, 24 May 2013 00:00:00 GMT",
            ["Host"] = "examplebucket.s3.amazonaws.com",
            ["x-amz-date"] = SigV4.AmzDate(At),
            ["x-amz-storage-class"] = "REDUCED_REDUNDANCY",
            ["x-amz-content-sha256"] = payload,
        };

        var authorization = SigV4.Authorization("PUT", "/" + SigV4.EncodePath("test$file.text"), "", headers, payload, AccessKey, SecretKey, "us-east-1", "s3", At);

        Assert.EndsWith(",SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,"
            + "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd", authorization, StringComparison.Ordinal);
    }

    [Fact]
    public void Authorization_AnotherSecretOrDay_ChangesTheSignature()
    {
        var headers = new Dictionary<string, string> { ["host"] = "h", ["x-amz-date"] = SigV4.AmzDate(At) };
        var one = SigV4.Authorization("GET", "/b/k", "", headers, SigV4.EmptyPayload, AccessKey, SecretKey, "us-east-1", "s3", At);

        Assert.NotEqual(one, SigV4.Authorization("GET", "/b/k", "", headers, SigV4.EmptyPayload, AccessKey, SecretKey + "x", "us-east-1", "s3", At));
        Assert.NotEqual(one, SigV4.Authorization("GET", "/b/k", "", headers, SigV4.EmptyPayload, AccessKey, SecretKey, "us-east-1", "s3", At.AddDays(1)));
        Assert.DoesNotContain(SecretKey, one, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("instances/2026-11-04.000012-0003.jsonl.gz", "instances/2026-11-04.000012-0003.jsonl.gz")]
    [InlineData("a b/ü~x", "a%20b/%C3%BC~x")]
    [InlineData("x+y=z", "x%2By%3Dz")]
    public void EncodePath_EncodesEachSegmentOnce(string path, string encoded) => Assert.Equal(encoded, SigV4.EncodePath(path));
}
