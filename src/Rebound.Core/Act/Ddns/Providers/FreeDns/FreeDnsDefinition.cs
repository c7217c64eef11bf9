using Rebound.Configuration;

namespace Rebound.Act.Ddns.Providers.FreeDns;

/// <summary>The update token of one FreeDNS record.</summary>
public sealed record FreeDnsSettings(Secret Token);

/// <summary>
/// <c>provider = "freedns"</c>: one FreeDNS (afraid.org) record, named by its update token; so an entry has one name and
/// one family (an A and an AAAA record have a token each).
/// </summary>
public sealed class FreeDnsDefinition : DdnsProviderDefinition<FreeDnsSettings>
{
    public FreeDnsDefinition()
        : base("freedns", "FreeDNS (afraid.org) dynamic update v2: one record (one name, one family) per entry, with its update token")
    {
    }

    public SecretKey Token { get; } = new("token", "The record's update token (Dynamic DNS, the part after /u/ of its update URL)", "/etc/rebound/freedns.token")
    {
        Required = true,
    };

    public override IReadOnlyList<ConfigKey> Keys => [Token];

    public override string ExampleNames => ConfigKey.Toml(["myhome.mooo.com"]);

    internal static FreeDnsOptions Options(FreeDnsSettings settings) => new() { Token = settings.Token.Reveal() };

    internal override FreeDnsSettings? ReadSettings(ConfigSection s, DdnsEntryContext entry)
    {
        const string Why = "(a FreeDNS token updates one record: one entry per record)";
        if (entry.Names is { Count: > 1 })
            s.Problem(s.Node("names") ?? s.Table, "names", $"one name {Why}");
        if (entry.Families is { Count: > 1 })
            s.Problem(s.Node("families") ?? s.Table, "families", $"one family {Why}");
        return Token.Read(s) is { } token ? new FreeDnsSettings(token) : null;
    }

    internal override string Identity(FreeDnsSettings settings) => Hash(settings.Token.Reveal());

    internal override string Describe(FreeDnsSettings settings) => $"token from {settings.Token.Source}";

    internal override Task<DdnsProviderParts> CreateAsync(FreeDnsSettings settings, DdnsEntryConfig entry, TimeProvider time, CancellationToken ct) =>
        Task.FromResult(Http(new FreeDnsProvider(Options(settings), timeProvider: time)));
}
