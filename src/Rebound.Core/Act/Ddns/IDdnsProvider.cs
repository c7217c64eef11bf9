namespace Rebound.Act.Ddns;

/// <summary>Pushes one record's new address to one DNS provider.</summary>
public interface IDdnsProvider
{
    /// <summary>
    /// Never throws for HTTP, network or protocol failures: those come back as <see cref="DdnsOutcome.RetryLater"/>
    /// or <see cref="DdnsOutcome.Fatal"/>. Only the caller's cancellation throws.
    /// </summary>
    Task<DdnsUpdateResult> UpdateAsync(DdnsRecordUpdate update, CancellationToken cancellationToken);
}
