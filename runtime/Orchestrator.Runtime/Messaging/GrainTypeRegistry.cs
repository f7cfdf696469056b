using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using Orchestrator.Runtime.Grains;

namespace Orchestrator.Runtime.Messaging;

/// <summary>
/// Maps grain interfaces to the classes that implement them and turns stored calls back into method invocations.
/// Built once from the grain classes registered with the runtime; method lookup is by interface and name, so
/// interfaces must not overload a method name.
/// </summary>
public sealed class GrainTypeRegistry
{
    private readonly Dictionary<Type, GrainClass> _byInterface = [];
    private readonly Dictionary<string, GrainClass> _byTypeName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Type> _interfacesByName = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Interface, string Method), GrainMethod> _methods = new();

    /// <summary>Registers grain classes; each must derive from <see cref="Grain"/> and implement a grain interface.</summary>
    public GrainTypeRegistry(IEnumerable<Type> grainClasses)
    {
        foreach (var type in grainClasses)
        {
            Add(type);
        }
    }

    /// <summary>Every concrete grain class in the assemblies.</summary>
    public static GrainTypeRegistry FromAssemblies(params Assembly[] assemblies) =>
        new(assemblies.SelectMany(a => a.GetTypes()).Where(t => t.IsClass && !t.IsAbstract && typeof(Grain).IsAssignableFrom(t)));

    private void Add(Type type)
    {
        if (!typeof(Grain).IsAssignableFrom(type) || type.IsAbstract)
        {
            throw new ArgumentException($"Grain class '{type.FullName}' must be a concrete class deriving from Grain.", nameof(type));
        }
        var name = type.GetCustomAttribute<GrainTypeAttribute>()?.Name ?? type.Name;
        var grainClass = new GrainClass(name, type);
        if (!_byTypeName.TryAdd(name, grainClass))
        {
            throw new ArgumentException($"Two grain classes share the grain type name '{name}': '{_byTypeName[name].ClrType.FullName}' and '{type.FullName}'.");
        }
        foreach (var iface in type.GetInterfaces().Where(IsGrainInterface))
        {
            if (!_byInterface.TryAdd(iface, grainClass))
            {
                throw new ArgumentException($"Grain interface '{iface.FullName}' is implemented by both '{_byInterface[iface].ClrType.FullName}' and '{type.FullName}'.");
            }
            _interfacesByName[iface.FullName!] = iface;
            var overloaded = iface.GetMethods().GroupBy(m => m.Name).FirstOrDefault(g => g.Count() > 1);
            if (overloaded is not null)
            {
                throw new ArgumentException($"Grain interface '{iface.FullName}' overloads method '{overloaded.Key}'; grain methods are looked up by name.");
            }
        }
    }

    private static bool IsGrainInterface(Type iface) =>
        typeof(IGrain).IsAssignableFrom(iface) && iface != typeof(IGrain) && iface != typeof(IGrainWithStringKey)
        && iface != typeof(IGrainWithGuidKey) && iface != typeof(IGrainWithIntegerKey);

    internal GrainClass ForInterface(Type grainInterface) =>
        _byInterface.TryGetValue(grainInterface, out var c)
            ? c
            : throw new GrainTypeNotFoundException($"No registered grain class implements '{grainInterface.FullName}'.");

    internal bool TryForTypeName(string typeName, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out GrainClass? grainClass) =>
        _byTypeName.TryGetValue(typeName, out grainClass);

    internal GrainClass ForTypeName(string typeName) =>
        _byTypeName.TryGetValue(typeName, out var c)
            ? c
            : throw new GrainTypeNotFoundException($"Unknown grain type '{typeName}': no registered grain class has that name.");

    internal GrainMethod Method(string interfaceName, string methodName) =>
        _methods.GetOrAdd((interfaceName, methodName), key =>
        {
            if (!_interfacesByName.TryGetValue(key.Interface, out var iface))
            {
                throw new InvalidMessageException($"Unknown grain interface '{key.Interface}'.");
            }
            var method = iface.GetMethod(key.Method)
                ?? throw new InvalidMessageException($"Grain interface '{key.Interface}' has no method '{key.Method}'.");
            return new GrainMethod(iface, method);
        });
}

/// <summary>A registered grain class and its stored type name.</summary>
internal sealed record GrainClass(string Name, Type ClrType);

/// <summary>One method of a grain interface, with argument (de)serialization.</summary>
internal sealed class GrainMethod(Type iface, MethodInfo method)
{
    private readonly ParameterInfo[] _parameters = method.GetParameters();
    private readonly MethodInvoker _invoker = MethodInvoker.Create(method);

    public Type Interface { get; } = iface;

    public MethodInfo Info { get; } = method;

    /// <summary>True for one-way commands (return <see cref="Task"/>); false for reads.</summary>
    public bool IsCommand { get; } = method.ReturnType == typeof(Task);

    public JsonElement SerializeArgs(object?[]? args)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            for (var i = 0; i < _parameters.Length; i++)
            {
                JsonSerializer.Serialize(writer, args?[i], _parameters[i].ParameterType, MessageBody.Json);
            }
            writer.WriteEndArray();
        }
        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    public object?[] DeserializeArgs(JsonElement? args)
    {
        var count = args is { ValueKind: JsonValueKind.Array } array ? array.GetArrayLength() : 0;
        if (count != _parameters.Length)
        {
            throw new InvalidMessageException($"Method '{Interface.Name}.{Info.Name}' takes {_parameters.Length} argument(s) but the message has {count}.");
        }
        var result = new object?[count];
        if (count == 0)
        {
            return result;
        }
        var index = 0;
        foreach (var element in args!.Value.EnumerateArray())
        {
            var i = index++;
            try
            {
                result[i] = element.Deserialize(_parameters[i].ParameterType, MessageBody.Json);
            }
            catch (JsonException ex)
            {
                throw new InvalidMessageException($"Argument '{_parameters[i].Name}' of '{Interface.Name}.{Info.Name}' cannot be read as {_parameters[i].ParameterType.Name}: {ex.Message}", ex);
            }
        }
        return result;
    }

    public object? Invoke(object target, object?[] args) => _invoker.Invoke(target, args.AsSpan());
}

/// <summary>Awaiting read methods, whatever their awaitable type.</summary>
internal static class GrainMethodReads
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, Func<object, Task<object?>>> Awaiters = new();

    /// <summary>Invokes a read method and awaits its Task&lt;T&gt; or ValueTask&lt;T&gt;, returning the boxed result.</summary>
    public static Task<object?> InvokeReadAsync(this GrainMethod method, object target, object?[] args)
    {
        var result = method.Invoke(target, args) ?? throw new InvalidOperationException($"Read method '{method.Info.Name}' returned null instead of a task.");
        return Awaiters.GetOrAdd(result.GetType(), CreateAwaiter)(result);
    }

    private static Func<object, Task<object?>> CreateAwaiter(Type awaitable)
    {
        var generic = awaitable.IsGenericType && awaitable.GetGenericTypeDefinition() == typeof(ValueTask<>)
            ? awaitable.GetGenericArguments()[0]
            : FindTaskResultType(awaitable);
        var name = awaitable.IsGenericType && awaitable.GetGenericTypeDefinition() == typeof(ValueTask<>) ? nameof(AwaitValueTask) : nameof(AwaitTask);
        var m = typeof(GrainMethodReads).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(generic);
        return m.CreateDelegate<Func<object, Task<object?>>>();
    }

    private static Type FindTaskResultType(Type type)
    {
        for (var t = type; t is not null; t = t.BaseType)
        {
            if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(Task<>))
            {
                return t.GetGenericArguments()[0];
            }
        }
        throw new InvalidOperationException($"'{type}' is not a Task<T> or ValueTask<T>.");
    }

    private static async Task<object?> AwaitTask<T>(object task) => await ((Task<T>)task).ConfigureAwait(false);

    private static async Task<object?> AwaitValueTask<T>(object task) => await ((ValueTask<T>)task).ConfigureAwait(false);
}
