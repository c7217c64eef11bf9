using Rebound.Configuration;

namespace Rebound.Act.Ddns.Providers.DuckDns;

/// <summary>A DuckDNS account: its token.</summary>
public sealed record DuckDnsSettings(Secret Token);

/// <summary>
/// <c>provider = "duckdns"</c>: subdomains of duckdns.org, written "myhome" or "myhome.duckdns.org", updated with the
/// account's token.
/// </summary>
public sealed class DuckDnsDefinition : DdnsProviderDefinition<DuckDnsSettings>
{
    public DuckDnsDefinition()
        : base("duckdns", "DuckDNS: subdomains of duckdns.org (\"myhome\" or \"myhome.duckdns.org\"), with the account's token")
    {
    }

    public SecretKey Token { get; } = new("token", "The account's token, shown on duckdns.org", "/etc/rebound/duckdns.token")
    {
        Required = true,
    };

    public override IReadOnlyList<ConfigKey> Keys => [Token];

    public override string ExampleNames => ConfigKey.Toml(["myhome"]);

    public override string CompleteName(string name) => name.Contains('.', StringComparison.Ordinal) ? name : name + DuckDnsProvider.Suffix;

    public override string? CheckName(string name) =>
        name.EndsWith(DuckDnsProvider.Suffix, StringComparison.Ordinal) && name.Count(c => c == '.') == 2
            ? null
            : "a DuckDNS name like \"myhome\" or \"myhome.duckdns.org\"";

    internal static DuckDnsOptions Options(DuckDnsSettings settings) => new() { Token = settings.Token.Reveal() };

    internal override DuckDnsSettings? ReadSettings(ConfigSection s, DdnsEntryContext entry) =>
        Token.Read(s) is { } token ? new DuckDnsSettings(token) : null;

    internal override string Identity(DuckDnsSettings settings) => Hash(settings.Token.Reveal());

    internal override string Describe(DuckDnsSettings settings) => $"token from {settings.Token.Source}";

    internal override Task<DdnsProviderParts> CreateAsync(DuckDnsSettings settings, DdnsEntryConfig entry, TimeProvider time, CancellationToken ct) =>
        Task.FromResult(Http(new DuckDnsProvider(Options(settings), timeProvider: time)));
}
