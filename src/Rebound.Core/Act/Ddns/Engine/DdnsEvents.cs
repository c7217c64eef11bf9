using System.Net;
using Rebound.Record;

namespace Rebound.Act.Ddns.Engine;

/// <summary>Something the DDNS engine did; read from <see cref="DdnsEngine.Events"/> (its kind: <see cref="EventCatalogue"/>).</summary>
public abstract record DdnsEvent(DateTimeOffset Time) : ReboundEvent(Time);

/// <summary>
/// Records of one family of a target now hold <paramref name="Address"/>.
/// <paramref name="ElapsedMs"/> runs from the detection of the address (<c>detectedAt</c> given to
/// <see cref="DdnsEngine.OnAddress"/>) to the moment the authoritative server served it
/// (<paramref name="Verified"/> true), or to the provider's answer when there is no verifier or the
/// provider answered Unchanged (which counts as published without verifying). For a forced
/// <see cref="Refresh"/> it runs from the start of the send instead.
/// </summary>
public sealed record DdnsUpdated(
    DateTimeOffset Time, string TargetId, string Provider, IReadOnlyList<string> Names, IPAddress Address, long ElapsedMs, bool Verified)
    : DdnsEvent(Time)
{
    /// <summary>The provider answered "no change" (dyndns2 nochg): it already had the address.</summary>
    public bool Unchanged { get; init; }

    /// <summary>A forced refresh of an unchanged address (<see cref="DdnsTarget.Refresh"/>).</summary>
    public bool Refresh { get; init; }

    /// <summary>The server held something else than the cache said was sent (changed behind the agent's back): corrected.</summary>
    public bool Drift { get; init; }
}

/// <summary>
/// An update did not (yet) reach the DNS. <paramref name="Error"/> is one line without secrets.
/// <paramref name="RetryIn"/>: when the engine tries again (null: it will not on its own).
/// <paramref name="Fatal"/>: the target is stopped until the configuration changes (engine restart); reported once.
/// A verification timeout is reported as not fatal with no RetryIn: the provider accepted the update
/// (it is cached and not resent) but the authoritative server did not serve it in time.
/// </summary>
public sealed record DdnsFailed(
    DateTimeOffset Time, string TargetId, string Provider, IReadOnlyList<string> Names, string Error, TimeSpan? RetryIn, bool Fatal)
    : DdnsEvent(Time);

/// <summary>Something an admin should know that stops nothing (cache file unreadable or not writable).</summary>
public sealed record DdnsWarning(DateTimeOffset Time, string Message) : DdnsEvent(Time);
