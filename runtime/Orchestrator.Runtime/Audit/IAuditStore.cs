namespace Orchestrator.Runtime.Audit;

/// <summary>
/// The audit log's table (<c>orch_audit</c>), one implementation per store. Rows are only appended here; the retention
/// pass archives and deletes old ones (<c>Retention/IRetentionStore</c>). The API writes through <see cref="AuditWriter"/>, which groups concurrent appends into one transaction.
/// </summary>
public interface IAuditStore
{
    /// <summary>Appends the entries in one transaction (their <see cref="AuditEntry.Id"/> is ignored and assigned in order).</summary>
    Task AppendAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken = default);

    /// <summary>The entries the query selects, newest (highest id) first.</summary>
    Task<IReadOnlyList<AuditEntry>> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default);
}
