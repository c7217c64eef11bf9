using System.Net;

namespace Rebound.Sense.RouterHints;

/// <summary>What the gateway announced about its WAN side. Only a hint: the watcher confirms it by STUN.</summary>
/// <param name="Protocol"><c>nat-pmp</c> or <c>pcp</c>.</param>
/// <param name="Source">Who sent it; only the current default gateway is believed.</param>
/// <param name="ExternalAddress">The new external address (NAT-PMP carries it; PCP ANNOUNCE does not).</param>
/// <param name="EpochSeconds">The router's seconds-since-start-of-epoch; a reset means its mappings were lost.</param>
public sealed record RouterHint(string Protocol, IPAddress Source, IPAddress? ExternalAddress, uint EpochSeconds)
{
    public override string ToString() =>
        ExternalAddress is null
            ? $"{Protocol} announcement from {Source} (epoch {EpochSeconds})"
            : $"{Protocol} announcement from {Source}: external address {ExternalAddress} (epoch {EpochSeconds})";
}
