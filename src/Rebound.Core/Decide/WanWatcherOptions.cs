using Rebound.Sense.Sources;

namespace Rebound.Decide;

public sealed record WanWatcherOptions
{
    /// <summary>
    /// The polite default for public servers: one STUN server asked per round (rotating), so about one small
    /// exchange every 5 s; a lab or an own STUN server can go down to 1 s.
    /// </summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(5);

    /// <summary>The address sources: STUN servers, HTTP(S) echoes, DNS whoamis, gateway hints.</summary>
    public IReadOnlyList<AddressSourceSpec> Targets { get; init; } = AddressSources.PublicDefaults;

    /// <summary>The longest one STUN or DNS question may wait (the adaptive timeout's ceiling); HTTP gets at least 3 s.</summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The shortest adaptive timeout, however fast the answers came so far.</summary>
    public TimeSpan ProbeTimeoutFloor { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How often an HTTP or DNS source is asked while STUN answers (their answers cost more); they are asked in
    /// every round when they are all there is, and at once to cross-check a STUN answer that differs.
    /// </summary>
    public TimeSpan SlowSourceInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>A failing kind of source is tried again every this many routine rounds.</summary>
    public int RetryFailingEvery { get; init; } = 10;

    /// <summary>Time between routine probe rounds, measured start to start.</summary>
    public TimeSpan Interval { get; init; } = DefaultInterval;

    /// <summary>A new address is believed at once when this many servers report it in the same round.</summary>
    public int ConfirmServers { get; init; } = 2;

    /// <summary>Otherwise, when it is the majority answer in this many consecutive rounds.</summary>
    public int ConfirmRounds { get; init; } = 2;

    /// <summary>Consecutive rounds with no answer at all before the upstream is declared lost.</summary>
    public int LossRounds { get; init; } = 2;

    /// <summary>Pause between confirmation rounds: short, so a change is confirmed in about one round trip.</summary>
    public TimeSpan BurstSpacing { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Confirmation rounds in a row before falling back to the routine interval (bounds traffic when servers disagree).</summary>
    public int MaxBurstRounds { get; init; } = 4;

    /// <summary>Least time between two rounds started by network hints (router announcements); the kernel's own changes start one at once.</summary>
    public TimeSpan MinWakeSpacing { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A name lookup taking longer than this counts as failed (the last good address is kept).</summary>
    public TimeSpan ResolveTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a resolved server name is reused before it is resolved again.</summary>
    public TimeSpan ResolveEvery { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// An interface whose global IPv6 address is the public IPv6 address (no NAT): the watcher reports it as
    /// <see cref="PublicAddressChanged"/> when the local network monitor sees it change. Null: STUN decides alone.
    /// </summary>
    public string? Ipv6Interface { get; init; }

    /// <summary>Returns the first problem with these options, or null.</summary>
    public string? Validate()
    {
        if (Targets.Count == 0)
        {
            return "at least one address source is needed";
        }

        if (Targets.All(t => t.Kind.IsGatewayHint()))
        {
            return "gateway hints (natpmp, upnp) cannot decide alone: add a STUN, HTTP or DNS source";
        }

        if (ProbeTimeout <= TimeSpan.Zero || ProbeTimeoutFloor <= TimeSpan.Zero)
        {
            return "probe timeouts must be greater than zero";
        }

        if (Interval <= TimeSpan.Zero)
        {
            return "interval must be greater than zero";
        }

        if (ConfirmServers < 1 || ConfirmRounds < 1 || LossRounds < 1 || MaxBurstRounds < 0)
        {
            return "confirmation counts must be at least 1";
        }

        return BurstSpacing < TimeSpan.Zero ? "burst spacing must not be negative" : null;
    }
}
