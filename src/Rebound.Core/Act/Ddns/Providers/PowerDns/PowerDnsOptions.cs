using Rebound.Act.Ddns.Http;

namespace Rebound.Act.Ddns.Providers.PowerDns;

/// <summary>A PowerDNS Authoritative server's HTTP API: where, which server and zone, and the API key. ToString never shows the key.</summary>
public sealed class PowerDnsOptions : DdnsHttpOptions
{
    public const string DefaultServerId = "localhost";

    /// <summary>The record's TTL when the server holds none yet.</summary>
    public const int DefaultTtl = 60;

    /// <summary>The webserver's base URL; requests go to /api/v1/servers/... under it.</summary>
    public required Uri BaseUri { get; init; }

    public required string ApiKey { get; init; }

    /// <summary>The zone the records live in, e.g. home.example.net (no trailing dot needed).</summary>
    public required string Zone { get; init; }

    public string ServerId { get; init; } = DefaultServerId;

    internal override IReadOnlyList<string> Secrets => [ApiKey];

    public override string ToString() => $"powerdns {BaseUri} server {ServerId} zone {Zone} api key {DdnsText.Redacted}";

    internal override void Validate()
    {
        ArgumentNullException.ThrowIfNull(BaseUri);
        ArgumentException.ThrowIfNullOrWhiteSpace(Zone);
        ArgumentException.ThrowIfNullOrWhiteSpace(ServerId);
        base.Validate();
    }
}
