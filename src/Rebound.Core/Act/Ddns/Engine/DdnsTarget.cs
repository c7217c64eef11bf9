using Rebound.Decide;

namespace Rebound.Act.Ddns.Engine;

/// <summary>One configured DDNS entry the engine keeps pointed at the current public addresses.</summary>
/// <param name="Id">Stable id from the configuration; keys the persisted cache (with name and family).</param>
/// <param name="Provider">Provider name for output (e.g. "cloudflare", "rfc2136").</param>
/// <param name="Names">Fully qualified record names.</param>
/// <param name="Updater">Pushes a batch of records to the provider.</param>
public sealed record DdnsTarget(string Id, string Provider, IReadOnlyList<string> Names, IDdnsUpdater Updater)
{
    /// <summary>The families to keep published (A for IPv4, AAAA for IPv6).</summary>
    public IReadOnlyList<IpFamily> Families { get; init; } = [IpFamily.Ipv4, IpFamily.Ipv6];

    /// <summary>When set, an Updated result is followed by polling this until it serves the new address.</summary>
    public IDnsVerifier? Verifier { get; init; }

    /// <summary>Ids cache records may carry for this target from an earlier way of deriving them; loaded as <see cref="Id"/>.</summary>
    public IReadOnlyList<string> FormerIds { get; init; } = [];

    /// <summary>Minimum time between two requests to the provider; a newer address is held until it passes.</summary>
    public TimeSpan MinInterval { get; init; } = TimeSpan.Zero;

    /// <summary>Send again, unchanged, when the last successful send is older than this (null: never).</summary>
    public TimeSpan? Refresh { get; init; }

    /// <summary>How often records the cache calls current are asked of <see cref="Verifier"/>; null: the engine's <see cref="DdnsEngineOptions.DriftCheckInterval"/>.</summary>
    public TimeSpan? DriftCheck { get; init; }

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Id);
        ArgumentException.ThrowIfNullOrWhiteSpace(Provider);
        ArgumentNullException.ThrowIfNull(Names);
        ArgumentNullException.ThrowIfNull(Updater);
        ArgumentNullException.ThrowIfNull(Families);
        ArgumentNullException.ThrowIfNull(FormerIds);
        if (Names.Count == 0)
            throw new ArgumentException($"DDNS target {Id} has no names", nameof(Names));
        if (MinInterval < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(MinInterval), "must not be negative");
        if (Refresh is { } refresh && refresh <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(Refresh), "must be positive");
        if (DriftCheck is { } drift && drift <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(DriftCheck), "must be positive");
    }
}
