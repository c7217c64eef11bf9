using Rebound.Act.Ddns.Http;

namespace Rebound.Act.Ddns.Providers.Dynv6;

/// <summary>A dynv6 zone and the account's HTTP token. ToString never shows the token.</summary>
public sealed class Dynv6Options : DdnsTokenApiOptions
{
    internal override Uri DefaultBaseUri { get; } = new("https://dynv6.com/");

    private protected override string Provider => "dynv6";
}
