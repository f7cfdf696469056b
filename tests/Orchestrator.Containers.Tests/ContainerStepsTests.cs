using Orchestrator.Containers;

namespace Orchestrator.Containers.Tests;

public sealed class ContainerStepsTests
{
    [Fact]
    public void ManagedByLabel_IsAValidKubernetesLabel_WithItsValue()
    {
        Assert.Equal("app.kubernetes.io/managed-by", ContainerSteps.ManagedByLabel);
        Assert.Matches("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", ContainerSteps.ManagedByValue);
    }
}
