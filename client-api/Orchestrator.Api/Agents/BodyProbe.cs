namespace Orchestrator.Api.Agents;

/// <summary>
/// A read-only pass-through over a request body that remembers whether any byte was read and whether any was more
/// than JSON white space, so a parse error can say "empty", "only white space" or "not JSON" correctly without the
/// body being buffered (agent bodies run to tens of megabytes).
/// </summary>
internal sealed class BodyProbe(Stream inner) : Stream
{
    /// <summary>At least one byte was read.</summary>
    public bool SawBytes { get; private set; }

    /// <summary>A byte other than space, tab, CR or LF was read.</summary>
    public bool SawContent { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Note(buffer.AsSpan(offset, inner.Read(buffer, offset, count)));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        return Note(buffer.Span[..read]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int Note(ReadOnlySpan<byte> read)
    {
        if (read.Length > 0)
        {
            SawBytes = true;
            SawContent |= read.ContainsAnyExcept(" \t\r\n"u8);
        }
        return read.Length;
    }
}
