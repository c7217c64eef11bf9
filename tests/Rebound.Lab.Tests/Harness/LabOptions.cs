namespace Rebound.Lab.Tests.Harness;

/// <summary>Options of <c>lab.sh up</c>, each off by default so that a plain lab stays as it was.</summary>
public sealed record LabOptions
{
    public static LabOptions None { get; } = new();

    /// <summary>--ipv6: dual stack, a delegated prefix per WAN, SLAAC on the LAN host, no NAT66.</summary>
    public bool Ipv6 { get; init; }

    /// <summary>--cgnat: a carrier NAT with arbitrary pooling behind WAN2 (see <see cref="FailoverLab.CarrierNatAddressFor"/>).</summary>
    public bool CarrierNat { get; init; }

    /// <summary>--stun-blocked: the router drops UDP to port 3478 from the LAN from the start (<see cref="FailoverLab.BlockStunAsync"/>).</summary>
    public bool StunBlocked { get; init; }

    /// <summary>--snat (modes metric and mwan3): static SNAT per WAN instead of masquerade, so flows stay pinned.</summary>
    public bool StaticSnat { get; init; }

    internal IEnumerable<string> Arguments()
    {
        if (Ipv6)
        {
            yield return "--ipv6";
        }

        if (CarrierNat)
        {
            yield return "--cgnat";
        }

        if (StunBlocked)
        {
            yield return "--stun-blocked";
        }

        if (StaticSnat)
        {
            yield return "--snat";
        }
    }
}
