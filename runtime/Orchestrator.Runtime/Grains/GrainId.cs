using System.Text;

namespace Orchestrator.Runtime.Grains;

/// <summary>The identity of a grain: its type name and its key.</summary>
public readonly record struct GrainId(string Type, string Key)
{
    /// <summary>The shard this grain lives in: a stable hash of type and key modulo the cluster's shard count.</summary>
    public int ShardOf(int shardCount) => (int)(StableHash() % (uint)shardCount);

    /// <summary>FNV-1a over the UTF-8 bytes of "type/key": stable across processes and .NET versions.</summary>
    public uint StableHash()
    {
        var hash = Fnv(2166136261, Type);
        hash = (hash ^ (byte)'/') * 16777619;
        return Fnv(hash, Key);
    }

    private static uint Fnv(uint hash, string text)
    {
        Span<byte> buffer = stackalloc byte[256];
        var bytes = text.Length * 3 <= buffer.Length ? buffer[..Encoding.UTF8.GetBytes(text, buffer)] : Encoding.UTF8.GetBytes(text);
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * 16777619;
        }
        return hash;
    }

    public override string ToString() => $"{Type}/{Key}";
}
