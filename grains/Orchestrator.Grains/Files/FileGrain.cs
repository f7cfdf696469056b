using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Common;
using Orchestrator.Runtime.Indexes;

namespace Orchestrator.Grains.Files;

/// <summary>State of a file in a namespace: when it was first uploaded there, by whom, and its size.</summary>
public sealed class FileState
{
    public FileIndexData? File { get; set; }
}

/// <summary>A file uploaded into a namespace (see <see cref="IFileGrain"/>); its index row is written with its state.</summary>
[GrainType("file")]
public sealed class FileGrain : Orchestrator.Runtime.Durable.DurableGrain<FileState>, IFileGrain
{
    public Task<FileIndexData> Record(long size, string by)
    {
        if (State.File is { } known)
        {
            return Task.FromResult(known);
        }
        var slash = GrainKey.IndexOf('/', StringComparison.Ordinal);
        var file = new FileIndexData(size, Clock.GetUtcNow(), by);
        State.File = file;
        WriteIndex(new IndexRow(IndexKinds.File, GrainKey[..slash], GrainKey[(slash + 1)..], 0, DomainJson.Serialize(file)));
        return Task.FromResult(file);
    }

    public ValueTask<FileIndexData?> GetAsync() => ValueTask.FromResult(State.File);
}
