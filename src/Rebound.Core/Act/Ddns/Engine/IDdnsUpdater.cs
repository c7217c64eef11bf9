namespace Rebound.Act.Ddns.Engine;

/// <summary>
/// One configured DDNS entry (an HTTP provider account, or an RFC 2136 zone) that can push a batch of
/// records. Like <see cref="IDdnsProvider"/>, implementations never throw for network or protocol
/// failures (those are <see cref="DdnsOutcome.RetryLater"/> / <see cref="DdnsOutcome.Fatal"/>); only
/// the caller's cancellation throws.
/// </summary>
public interface IDdnsUpdater
{
    /// <summary>Pushes every record of <paramref name="updates"/> (never empty); one combined result.</summary>
    Task<DdnsUpdateResult> UpdateAsync(IReadOnlyList<DdnsRecordUpdate> updates, CancellationToken cancellationToken);
}

/// <summary>
/// An updater that sends records one by one and can say which of them succeeded, so that after a
/// partial failure the engine does not resend records the provider already accepted.
/// </summary>
public interface IDdnsPerRecordUpdater : IDdnsUpdater
{
    /// <summary>
    /// Results in the order of <paramref name="updates"/>; may be shorter than it when sending stopped
    /// early (records without a result were not sent).
    /// </summary>
    Task<IReadOnlyList<DdnsUpdateResult>> UpdateEachAsync(IReadOnlyList<DdnsRecordUpdate> updates, CancellationToken cancellationToken);
}
