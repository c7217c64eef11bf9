using Rebound.Configuration;

namespace Rebound.Act.Ddns.Providers.Desec;

/// <summary>A deSEC account: its token, the user (default: the record's name) and the gate between two updates.</summary>
public sealed record DesecSettings(Secret Token, string? Username, TimeSpan MinInterval);

/// <summary><c>provider = "desec"</c>: deSEC's dynDNS interface, one update per minute per domain.</summary>
public sealed class DesecDefinition : DdnsProviderDefinition<DesecSettings>
{
    public DesecDefinition()
        : base("desec", "deSEC (dedyn.io and own domains), with a dynDNS token; one update a minute per domain")
    {
    }

    public StringKey Username { get; } = new("username", "The user for basic auth; default: the record's own name (right for a dedyn.io name)", "a user name (default: the host name)")
    {
        Example = ConfigKey.Toml("home.dedyn.io"),
    };

    public SecretKey Token { get; } = new("token", "A dynDNS token of the domain", "/etc/rebound/desec.token")
    {
        Required = true,
    };

    public override IReadOnlyList<ConfigKey> Keys => [Username, Token];

    public override string ExampleNames => ConfigKey.Toml(["home.dedyn.io"]);

    public override TimeSpan DefaultMinInterval => DesecOptions.DefaultMinimumInterval;

    internal static DesecOptions Options(DesecSettings settings) =>
        new() { Token = settings.Token.Reveal(), Username = settings.Username, MinimumInterval = settings.MinInterval };

    internal override DesecSettings? ReadSettings(ConfigSection s, DdnsEntryContext entry)
    {
        var username = Username.Read(s);
        return Token.Read(s) is { } token ? new DesecSettings(token, username, entry.MinInterval) : null;
    }

    internal override string Identity(DesecSettings settings) => $"{settings.Username}|{Hash(settings.Token.Reveal())}";

    internal override string Describe(DesecSettings settings) => $"token from {settings.Token.Source}";

    internal override Task<DdnsProviderParts> CreateAsync(DesecSettings settings, DdnsEntryConfig entry, TimeProvider time, CancellationToken ct) =>
        Task.FromResult(Http(new DesecProvider(Options(settings), timeProvider: time)));
}
