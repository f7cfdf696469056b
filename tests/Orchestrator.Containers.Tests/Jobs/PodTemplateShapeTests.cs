using System.Reflection;
using System.Text.Json.Serialization;
using k8s.Models;
using Orchestrator.Plans.Validation;

namespace Orchestrator.Containers.Tests.Jobs;

/// <summary>
/// The plan parser checks a pod template's keys against its own lists (it does not depend on the Kubernetes client);
/// these compare the lists with the client library's model, so that a field Kubernetes has is never refused.
/// </summary>
public sealed class PodTemplateShapeTests
{
    private static List<string> JsonNames<T>() =>
        [.. typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name)
            .OfType<string>()
            .Order(StringComparer.Ordinal)];

    [Fact]
    public void PodSpecFields_SameAsTheClientModel() =>
        Assert.Equal(JsonNames<V1PodSpec>(), PodTemplateShape.PodSpecFields.Order(StringComparer.Ordinal));

    [Fact]
    public void ContainerFields_SameAsTheClientModel() =>
        Assert.Equal(JsonNames<V1Container>(), PodTemplateShape.ContainerFields.Order(StringComparer.Ordinal));
}
