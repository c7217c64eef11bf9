using Rebound.Act.Ddns.Http;

namespace Rebound.Act.Ddns.Providers.Porkbun;

/// <summary>A Porkbun domain (with API access turned on) and the account's API key pair. ToString shows neither key.</summary>
public sealed class PorkbunOptions : DdnsApiOptions
{
    /// <summary>Porkbun's smallest TTL, used for a record it creates.</summary>
    public const int DefaultTtl = 600;

    public required string ApiKey { get; init; }

    public required string SecretApiKey { get; init; }

    internal override Uri DefaultBaseUri { get; } = new("https://api.porkbun.com/");

    internal override IReadOnlyList<string> Secrets => [ApiKey, SecretApiKey];

    public override string ToString() => $"porkbun {Api} domain {Domain} keys {DdnsText.Redacted}";
}
