using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Text.Json;

namespace Orchestrator.Runtime.Durable;

/// <summary>
/// Turns a grain interface call into an outbox entry (interface, method, arguments as JSON) and back into a call.
/// Methods are found by name on the interface and the interfaces it extends, so a durable interface must not overload a
/// method name; only methods returning <see cref="Task"/> can be sent (a message has no answer to wait for).
/// </summary>
public static class OutboxCalls
{
    private static readonly ConcurrentDictionary<string, Type> Interfaces = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<(Type, string), MethodInfo> Methods = new();

    /// <summary>How an interface is named in an outbox entry: full name and assembly name, no version.</summary>
    public static string InterfaceName(Type grainInterface)
    {
        ArgumentNullException.ThrowIfNull(grainInterface);
        return $"{grainInterface.FullName}, {grainInterface.Assembly.GetName().Name}";
    }

    public static Type ResolveInterface(string name) =>
        Interfaces.GetOrAdd(name, static n =>
            Type.GetType(n, throwOnError: false) is { IsInterface: true } type
                ? type
                : throw new InvalidOutboxCallException($"The grain interface '{n}' is not known to this silo."));

    public static MethodInfo ResolveMethod(Type grainInterface, string name) =>
        Methods.GetOrAdd((grainInterface, name), static key =>
        {
            var (iface, method) = key;
            var matches = new[] { iface }.Concat(iface.GetInterfaces()).SelectMany(i => i.GetMethods()).Where(m => m.Name == method).ToList();
            return matches.Count switch
            {
                0 => throw new InvalidOutboxCallException($"The grain interface '{iface.FullName}' has no method '{method}'."),
                1 => matches[0],
                _ => throw new InvalidOutboxCallException($"The grain interface '{iface.FullName}' overloads '{method}'; durable messages find methods by name."),
            };
        });

    /// <summary>Checks that <paramref name="method"/> can be sent durably; throws saying why not.</summary>
    public static void EnsureSendable(Type grainInterface, MethodInfo method)
    {
        ArgumentNullException.ThrowIfNull(method);
        if (method.ReturnType != typeof(Task))
        {
            throw new InvalidOperationException(
                $"'{method.DeclaringType?.Name}.{method.Name}' returns {method.ReturnType.Name}; only methods returning Task can be sent durably (a message has no answer to wait for).");
        }
        _ = ResolveMethod(grainInterface, method.Name); // refuses overloads now rather than at delivery
    }

    /// <summary>The arguments as one JSON array; cancellation tokens are not sent (the receiver gets none).</summary>
    public static RawJson SerializeArguments(MethodInfo method, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(method);
        var parameters = method.GetParameters();
        var values = new object?[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
        {
            values[i] = parameters[i].ParameterType == typeof(CancellationToken) ? null : args?[i];
        }
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            for (var i = 0; i < parameters.Length; i++)
            {
                if (parameters[i].ParameterType == typeof(CancellationToken))
                {
                    writer.WriteNullValue();
                    continue;
                }
                JsonSerializer.Serialize(writer, values[i], parameters[i].ParameterType, DurableJson.Options);
            }
            writer.WriteEndArray();
        }
        return new RawJson(buffer.WrittenSpan.ToArray());
    }

    public static object?[] DeserializeArguments(MethodInfo method, RawJson raw)
    {
        ArgumentNullException.ThrowIfNull(method);
        using var document = raw.Parse();
        var args = document.RootElement;
        var parameters = method.GetParameters();
        var count = args.ValueKind == JsonValueKind.Array ? args.GetArrayLength() : 0;
        if (count != parameters.Length)
        {
            throw new InvalidOutboxCallException($"'{method.DeclaringType?.Name}.{method.Name}' takes {parameters.Length} argument(s); the message has {count}.");
        }
        var result = new object?[count];
        var i = 0;
        foreach (var element in count == 0 ? default : args.EnumerateArray())
        {
            var parameter = parameters[i];
            try
            {
                result[i] = parameter.ParameterType == typeof(CancellationToken)
                    ? CancellationToken.None
                    : element.Deserialize(parameter.ParameterType, DurableJson.Options);
            }
            catch (JsonException ex)
            {
                throw new InvalidOutboxCallException($"Argument '{parameter.Name}' of '{method.DeclaringType?.Name}.{method.Name}' cannot be read as {parameter.ParameterType.Name}: {ex.Message}", ex);
            }
            i++;
        }
        return result;
    }

    /// <summary>Calls <paramref name="method"/> on a grain reference.</summary>
    public static Task Invoke(object reference, MethodInfo method, object?[] args)
    {
        ArgumentNullException.ThrowIfNull(method);
        try
        {
            return (Task)method.Invoke(reference, args)!;
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }
    }
}

/// <summary>An outbox entry that can never be delivered as stored (unknown interface or method, unreadable arguments): parked at once.</summary>
public sealed class InvalidOutboxCallException : Exception
{
    public InvalidOutboxCallException(string message)
        : base(message)
    {
    }

    public InvalidOutboxCallException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
