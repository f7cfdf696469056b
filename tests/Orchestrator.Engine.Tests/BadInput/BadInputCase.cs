using System.Text;

namespace Orchestrator.Engine.Tests.BadInput;

/// <summary>
/// One hostile or careless request and what it must get: a status and, when the refusal is about a field, that field
/// named in the body (problem details' <c>errors[].path</c>, or Harbor's <c>err</c> and <c>description</c> for the jobs
/// API). <c>{plan}</c>, <c>{instance}</c> and <c>{new}</c> (a fresh plan id) in the path are filled in by the fixture.
/// </summary>
public sealed record BadInputCase(string Name, string Method, string Path, int Status, string? Field)
{
    /// <summary>The Content-Type sent with the body; null sends none.</summary>
    public string? ContentType { get; init; }

    /// <summary>The body as text (UTF-8); see <see cref="Bytes"/> for bytes that are not.</summary>
    public string? Body { get; init; }

    public byte[]? Bytes { get; init; }

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>Sent without the harness's admin token (and without any other <c>Authorization</c> unless <see cref="Headers"/> has one).</summary>
    public bool Anonymous { get; init; }

    /// <summary>The jobs API answers in Harbor's error shape.</summary>
    public bool Harbor => Path.StartsWith("/api/v1/jobs", StringComparison.Ordinal) || Path.StartsWith("/api/v1/stats", StringComparison.Ordinal);

    public byte[]? Content => Bytes ?? (Body is null ? null : Encoding.UTF8.GetBytes(Body));

    public override string ToString() => Name;
}
