using Orleans.Concurrency;

namespace Orchestrator.GrainInterfaces;

/// <summary>
/// A file uploaded into a namespace, key <see cref="Key"/> (namespace, '/', SHA-256). The content is a blob shared by
/// every namespace that uploaded it (content-addressed); this grain records that the namespace has it, as an index row
/// (<see cref="IndexKinds.File"/>) the API and steps read: a plan may reference only files of its own namespace.
/// </summary>
public interface IFileGrain : IGrainWithStringKey
{
    /// <summary>Records the upload (again: no change; the first upload's time and uploader stay).</summary>
    Task<FileIndexData> Record(long size, string by);

    [ReadOnly]
    ValueTask<FileIndexData?> GetAsync();

    public static string Key(string ns, string sha256) => ns + "/" + sha256;
}
