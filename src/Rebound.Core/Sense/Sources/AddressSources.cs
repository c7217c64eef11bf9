using System.Net;
using Rebound.Sense.DnsWhoami;
using Rebound.Sense.Gateway;
using Rebound.Sense.Http;

namespace Rebound.Sense.Sources;

/// <summary>The built-in sources and the factory for the sources that are not STUN.</summary>
public static class AddressSources
{
    /// <summary>
    /// With no <c>servers</c> configured: public STUN of two providers plus an HTTPS echo of a third, so STUN
    /// being blocked (guest and corporate networks) is not an outage, and no one provider decides alone.
    /// </summary>
    public static IReadOnlyList<AddressSourceSpec> PublicDefaults { get; } =
    [
        .. StunTarget.PublicDefaults,
        new HttpSourceSpec(new Uri("https://api.ipify.org/")),
    ];

    /// <summary>The real source for an HTTP, DNS or gateway spec (STUN sources are made by the watcher, around its prober).</summary>
    public static IAddressSource Create(AddressSourceSpec spec, TimeProvider time, Func<IPAddress?> defaultGateway) => spec switch
    {
        HttpSourceSpec http => new HttpAddressSource(http, time),
        DnsSourceSpec dns => new DnsWhoamiSource(dns, time),
        NatPmpSourceSpec natpmp => new NatPmpAddressSource(natpmp, time, defaultGateway),
        UpnpSourceSpec upnp => new UpnpAddressSource(upnp, time),
        _ => throw new ArgumentException($"no source for {spec.GetType().Name}", nameof(spec)),
    };
}
