using Rebound.Act.Ddns.Http;

namespace Rebound.Act.Ddns.Providers.Dynv6;

/// <summary>A dynv6 zone and the account's HTTP token. ToString never shows the token.</summary>
public sealed class Dynv6Options : DdnsApiOptions
{
    public required string Token { get; init; }

    internal override Uri DefaultBaseUri { get; } = new("https://dynv6.com/");

    internal override IReadOnlyList<string> Secrets => [Token];

    public override string ToString() => $"dynv6 {Api} zone {Domain} token {DdnsText.Redacted}";
}
