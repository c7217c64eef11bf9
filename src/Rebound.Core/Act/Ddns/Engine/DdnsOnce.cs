using System.Net;
using Rebound.Decide;

namespace Rebound.Act.Ddns.Engine;

/// <summary>What <see cref="DdnsEngine.UpdateOnceAsync"/> found for one record before sending.</summary>
public enum DdnsRecordStatus
{
    /// <summary>The cache says the provider already accepted this address: nothing to send.</summary>
    Current,

    /// <summary>Not current: sent (or, in a dry run, would be).</summary>
    Send,

    /// <summary>Current, but a forced <see cref="DdnsTarget.Refresh"/> is due: sent again (or would be).</summary>
    Refresh,

    /// <summary>No public address of this family was given: the record is left alone.</summary>
    NoAddress,
}

/// <summary>
/// One record (target, name, family) in a one-shot pass. <paramref name="Address"/> is the public
/// address it should hold (null for <see cref="DdnsRecordStatus.NoAddress"/>); <paramref name="SentAt"/>
/// is when the provider last accepted an address for it, from the cache (null: never).
/// </summary>
public sealed record DdnsRecordState(
    string TargetId, string Provider, string Name, IpFamily Family, IPAddress? Address, DdnsRecordStatus Status, DateTimeOffset? SentAt)
{
    /// <summary>Sent (or would be) although the cache called it current: the server held another address.</summary>
    public bool Drift { get; init; }

    /// <summary>Current by the cache, but the server could not be asked: not confirmed there.</summary>
    public bool Unconfirmed { get; init; }
}

/// <summary>
/// The outcome of <see cref="DdnsEngine.UpdateOnceAsync"/>: the state of every record before the pass,
/// and the events of the sends (none in a dry run; cache warnings included).
/// </summary>
public sealed record DdnsOnceResult(IReadOnlyList<DdnsRecordState> Records, IReadOnlyList<DdnsEvent> Events, bool DryRun)
{
    /// <summary>
    /// Every record that was to be sent was accepted (and, with a verifier, served) and no
    /// <see cref="DdnsFailed"/> was reported. True for a dry run.
    /// </summary>
    public bool Succeeded
    {
        get
        {
            if (DryRun)
                return true;
            if (Events.OfType<DdnsFailed>().Any())
                return false;
            var published = Events.OfType<DdnsUpdated>()
                .SelectMany(u => u.Names.Select(n => (u.TargetId, n, IpFamilyNames.Of(u.Address))))
                .ToHashSet();
            return Records.Where(r => r.Status is DdnsRecordStatus.Send or DdnsRecordStatus.Refresh)
                .All(r => published.Contains((r.TargetId, r.Name, r.Family)));
        }
    }
}
