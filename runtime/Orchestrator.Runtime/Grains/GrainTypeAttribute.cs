namespace Orchestrator.Runtime.Grains;

/// <summary>
/// Names a grain class's type as stored in the database. Without it the class name is used. The name is part of
/// the persisted identity: renaming a grain class without this attribute orphans its state.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class GrainTypeAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}
