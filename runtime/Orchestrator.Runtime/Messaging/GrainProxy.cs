using System.Collections.Concurrent;
using System.Reflection;
using Orchestrator.Runtime.Grains;

namespace Orchestrator.Runtime.Messaging;

/// <summary>Where a grain reference's calls go: a client sends at once, a turn sends at commit.</summary>
internal interface IGrainCallSink
{
    GrainTypeRegistry Registry { get; }

    /// <summary>Stores a one-way command; completes when it is durable (client) or recorded in the turn (grain).</summary>
    Task SendAsync(GrainId target, GrainMethod method, object?[]? args, string? dedupeKey);

    /// <summary>Runs a read method on the target's last committed state.</summary>
    Task<object?> ReadAsync(GrainId target, GrainMethod method, object?[]? args);
}

/// <summary>The object behind a grain interface reference; turns each call into a message or a read.</summary>
public class GrainProxy : DispatchProxy
{
    private static readonly ConcurrentDictionary<Type, Func<Task<object?>, object>> ResultAdapters = new();

    internal IGrainCallSink Sink { get; private set; } = null!;

    internal GrainId Target { get; private set; }

    internal string? DedupeKey { get; private set; }

    internal static TGrain Create<TGrain>(IGrainCallSink sink, GrainId target, string? dedupeKey = null)
    {
        var proxy = DispatchProxy.Create(typeof(TGrain), typeof(GrainProxy));
        var grainProxy = (GrainProxy)proxy;
        grainProxy.Sink = sink;
        grainProxy.Target = target;
        grainProxy.DedupeKey = dedupeKey;
        return (TGrain)proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        var method = Sink.Registry.Method(targetMethod.DeclaringType!.FullName!, targetMethod.Name);
        if (method.IsCommand)
        {
            return Sink.SendAsync(Target, method, args, DedupeKey);
        }
        var read = Sink.ReadAsync(Target, method, args);
        var adapter = ResultAdapters.GetOrAdd(targetMethod.ReturnType, CreateAdapter);
        return adapter(read);
    }

    private static Func<Task<object?>, object> CreateAdapter(Type returnType)
    {
        if (returnType.IsGenericType)
        {
            var definition = returnType.GetGenericTypeDefinition();
            var resultType = returnType.GetGenericArguments()[0];
            var name = definition == typeof(Task<>) ? nameof(AsTask) : definition == typeof(ValueTask<>) ? nameof(AsValueTask) : null;
            if (name is not null)
            {
                var generic = typeof(GrainProxy).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(resultType);
                return generic.CreateDelegate<Func<Task<object?>, object>>();
            }
        }
        throw new InvalidOperationException($"Grain methods return Task (commands), or Task<T> or ValueTask<T> (reads); '{returnType}' is neither.");
    }

    private static object AsTask<T>(Task<object?> read) => Cast<T>(read);

    private static object AsValueTask<T>(Task<object?> read) => new ValueTask<T>(Cast<T>(read));

    private static async Task<T> Cast<T>(Task<object?> read) => (T)(await read.ConfigureAwait(false))!;
}

/// <summary>Extensions on grain references.</summary>
public static class GrainReferenceExtensions
{
    /// <summary>
    /// A reference whose commands carry <paramref name="dedupeKey"/>: sending the same command twice with one key
    /// (a client retry after a lost acknowledgement, say) stores and applies it once.
    /// </summary>
    public static TGrain WithDedupeKey<TGrain>(this TGrain grain, string dedupeKey) where TGrain : IGrain
    {
        ArgumentException.ThrowIfNullOrEmpty(dedupeKey);
        if (grain is not GrainProxy proxy)
        {
            throw new ArgumentException("Not a grain reference created by a grain factory.", nameof(grain));
        }
        return GrainProxy.Create<TGrain>(proxy.Sink, proxy.Target, dedupeKey);
    }

    /// <summary>The identity a grain reference points at.</summary>
    public static GrainId GetGrainId(this IGrain grain) =>
        grain is GrainProxy proxy ? proxy.Target : throw new ArgumentException("Not a grain reference created by a grain factory.", nameof(grain));
}
