using Rebound.Act.Ddns.Http;

namespace Rebound.Act.Ddns.Providers.Namecheap;

/// <summary>A Namecheap domain with Dynamic DNS turned on, and its Dynamic DNS password. ToString never shows the password.</summary>
public sealed class NamecheapOptions : DdnsApiOptions
{
    public required string Password { get; init; }

    internal override Uri DefaultBaseUri { get; } = new("https://dynamicdns.park-your-domain.com/");

    internal override IReadOnlyList<string> Secrets => [Password];

    public override string ToString() => $"namecheap {Api} domain {Domain} password {DdnsText.Redacted}";
}
