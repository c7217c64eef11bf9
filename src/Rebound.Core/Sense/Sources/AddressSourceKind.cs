using Rebound.Record;

namespace Rebound.Sense.Sources;

/// <summary>What kind of service tells an address; evidence names it, and confirmation may combine kinds.</summary>
public enum AddressSourceKind
{
    [JsonName("stun")]
    Stun,

    [JsonName("http")]
    Http,

    [JsonName("dns")]
    Dns,

    /// <summary>The gateway's NAT-PMP external address: its WAN address, not the public one behind a carrier NAT.</summary>
    [JsonName("nat-pmp")]
    NatPmp,

    /// <summary>The gateway's UPnP IGD GetExternalIPAddress: as NAT-PMP, a hint only.</summary>
    [JsonName("upnp")]
    Upnp,
}

public static class AddressSourceKinds
{
    public static string ToName(this AddressSourceKind kind) => JsonNames.ToName(kind);

    /// <summary>The gateway's own view: may trigger a round and corroborate an answer, never decide alone.</summary>
    public static bool IsGatewayHint(this AddressSourceKind kind) => kind is AddressSourceKind.NatPmp or AddressSourceKind.Upnp;
}
