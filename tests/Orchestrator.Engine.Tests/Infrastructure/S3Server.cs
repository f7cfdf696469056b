using System.Diagnostics;
using System.Xml.Linq;
using Orchestrator.Grains.Retention;

namespace Orchestrator.Engine.Tests.Infrastructure;

/// <summary>
/// A real S3-compatible server for the archive tests: s3rver (an independent implementation of the S3 API from the
/// npm registry), started or reused by <c>eng/s3-start</c>, with one bucket <c>orch-archive</c> and the credentials
/// <c>S3RVER</c>/<c>S3RVER</c>. Each test archives under a key prefix of its own. s3rver checks the access key but not
/// version 4 signatures: those are proved against AWS's published examples (<c>SigV4Tests</c>).
/// </summary>
internal static class S3Server
{
    public const string Bucket = "orch-archive";
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";
    private static readonly Lazy<string> Started = new(Start);

    public static string Endpoint => Started.Value;

    /// <summary>A bucket URL (path-style, with a fresh key prefix) for the archive settings.</summary>
    public static string NewArchiveUrl(string purpose) => $"{Endpoint}/{Bucket}/{purpose}-{Guid.NewGuid():N}";

    /// <summary>
    /// Copies every object under the archive URL's prefix into <paramref name="directory"/> (same relative names), so
    /// the tests read a bucket archive as they read a directory one. Lists with ListObjectsV2 and reads with GetObject,
    /// both signed.
    /// </summary>
    public static async Task<IReadOnlyList<string>> MirrorAsync(string archiveUrl, string directory)
    {
        var address = BucketAddress.Parse(archiveUrl, out var problem) ?? throw new ArgumentException(problem, nameof(archiveUrl));
        var client = new BucketClient(address, "us-east-1", AccessKey, SecretKey, TimeProvider.System, BucketClient.SharedHttp);
        var names = await ListAsync(address);
        foreach (var name in names)
        {
            var path = Path.Combine(directory, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await using var file = File.Create(path);
            Assert.True(await client.ReadAsync(name, stored => stored.CopyToAsync(file), CancellationToken.None), $"{name} listed but absent");
        }
        return names;
    }

    /// <summary>The names (relative to the prefix) of the objects under the archive URL's prefix.</summary>
    private static async Task<List<string>> ListAsync(BucketAddress address)
    {
        var prefix = address.Prefix + "/";
        var query = $"list-type=2&prefix={SigV4.Encode(prefix)}";
        var path = "/" + address.Bucket;
        var at = TimeProvider.System.GetUtcNow();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(address.Endpoint, $"{path}?{query}"));
        request.Headers.Host = address.Host;
        request.Headers.TryAddWithoutValidation("x-amz-content-sha256", SigV4.EmptyPayload);
        request.Headers.TryAddWithoutValidation("x-amz-date", SigV4.AmzDate(at));
        request.Headers.TryAddWithoutValidation("Authorization", SigV4.Authorization("GET", path, query,
            new Dictionary<string, string> { ["host"] = address.Host, ["x-amz-content-sha256"] = SigV4.EmptyPayload, ["x-amz-date"] = SigV4.AmzDate(at) },
            SigV4.EmptyPayload, AccessKey, SecretKey, "us-east-1", "s3", at));
        using var response = await BucketClient.SharedHttp.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"ListObjectsV2 answered {(int)response.StatusCode}: {body}");
        var xml = XDocument.Parse(body);
        Assert.NotEqual("true", xml.Root!.Elements().FirstOrDefault(e => e.Name.LocalName == "IsTruncated")?.Value); // the tests stay under 1,000 objects
        return [.. xml.Descendants().Where(e => e.Name.LocalName == "Key").Select(e => e.Value[prefix.Length..]).Order(StringComparer.Ordinal)];
    }

    private static string Start()
    {
        var script = Path.Combine(RepositoryRoot(), "eng", "s3-start");
        using var process = Process.Start(new ProcessStartInfo(script) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"eng/s3-start failed ({process.ExitCode}): {errors.Result}");
        }
        return output.Trim();
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "eng", "s3-start")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Cannot find eng/s3-start above " + AppContext.BaseDirectory);
    }
}
