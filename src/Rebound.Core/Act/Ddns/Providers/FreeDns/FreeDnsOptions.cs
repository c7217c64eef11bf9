using Rebound.Act.Ddns.Http;

namespace Rebound.Act.Ddns.Providers.FreeDns;

/// <summary>The update token of one FreeDNS (afraid.org) record. ToString never shows it.</summary>
public sealed class FreeDnsOptions : DdnsHttpOptions
{
    public static readonly Uri DefaultIpv4Uri = new("https://sync.afraid.org/");

    public static readonly Uri DefaultIpv6Uri = new("https://v6.sync.afraid.org/");

    /// <summary>Where A records are updated.</summary>
    public Uri Ipv4Uri { get; init; } = DefaultIpv4Uri;

    /// <summary>Where AAAA records are updated.</summary>
    public Uri Ipv6Uri { get; init; } = DefaultIpv6Uri;

    public required string Token { get; init; }

    internal override IReadOnlyList<string> Secrets => [Token];

    public override string ToString() => $"freedns {Ipv4Uri} token {DdnsText.Redacted}";
}
