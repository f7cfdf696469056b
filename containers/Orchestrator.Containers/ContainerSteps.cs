namespace Orchestrator.Containers;

/// <summary>Names shared by the container-step code: the labels every Job we create carries.</summary>
public static class ContainerSteps
{
    /// <summary>Label on every Job and Secret Orchestrator creates, so an operator can list them.</summary>
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";

    /// <summary>Value of <see cref="ManagedByLabel"/>.</summary>
    public const string ManagedByValue = "orchestrator";
}
