namespace Orchestrator.Cli.Output;

/// <summary>How a read is printed (<c>-o</c>): a table for people, JSON or YAML for scripts.</summary>
public enum OutputFormat
{
    Table,
    Json,
    Yaml,
}
