using Rebound.Configuration;

namespace Rebound.Act.Ddns.Providers.Dyndns2;

/// <summary>A dyndns2 account: the update server, the user and the password.</summary>
public sealed record Dyndns2Settings(Uri Url, string Username, Secret Password, string? ExtraQuery = null);

/// <summary>
/// <c>provider = "dyndns2"</c>: the members.dyndns.org protocol that Dyn, No-IP and many others speak. A service that
/// speaks it at a fixed URL is a preset: <c>new Dyndns2Definition("noip", "No-IP", new Uri("https://dynupdate.no-ip.com/"))</c>
/// in <see cref="DdnsProviders.All"/>, and its entries need no <c>url</c>.
/// </summary>
public sealed class Dyndns2Definition : DdnsProviderDefinition<Dyndns2Settings>
{
    private readonly Uri? _fixedUrl;
    private readonly string? _extraQuery;

    public Dyndns2Definition()
        : this("dyndns2", "Any service speaking the dyndns2 protocol (Dyn, No-IP, …) at url, with basic auth", fixedUrl: null)
    {
    }

    /// <param name="fixedUrl">The update server of a preset; null: each entry gives <c>url</c>.</param>
    /// <param name="extraQuery">Parameters the preset's service wants on every update (escaped), e.g. <c>system=dyndns</c>.</param>
    public Dyndns2Definition(string name, string doc, Uri? fixedUrl, string? extraQuery = null)
        : base(name, doc)
    {
        _fixedUrl = fixedUrl;
        _extraQuery = extraQuery;
        Keys = fixedUrl is null ? [Url, Username, Password] : [Username, Password];
    }

    public UrlKey Url { get; } = new("url", "The update server; /nic/update is asked there")
    {
        Required = true,
        Example = ConfigKey.Toml("https://members.dyndns.org"),
    };

    public StringKey Username { get; } = new("username", "The account's user name", "a user name")
    {
        Required = true,
        Example = ConfigKey.Toml("me"),
    };

    public SecretKey Password { get; } = new("password", "The account's password (or the service's update key)", "/etc/rebound/dyndns2.pass")
    {
        Required = true,
    };

    public override IReadOnlyList<ConfigKey> Keys { get; }

    /// <summary>What the provider is given: the revealed password goes nowhere else.</summary>
    internal static Dyndns2Options Options(Dyndns2Settings settings) =>
        new() { BaseUri = settings.Url, Username = settings.Username, Password = settings.Password.Reveal(), ExtraQuery = settings.ExtraQuery };

    internal override Dyndns2Settings? ReadSettings(ConfigSection s, DdnsEntryContext entry)
    {
        var url = _fixedUrl ?? Url.Read(s);
        var username = Username.Read(s);
        var password = Password.Read(s);
        if (_fixedUrl is null && url is not null && url.Scheme == Uri.UriSchemeHttp)
            s.Warn(Url.Name, "is plain http://; the password travels unencrypted");
        return url is null || string.IsNullOrEmpty(username) || password is null ? null : new Dyndns2Settings(url, username, password, _extraQuery);
    }

    internal override string Identity(Dyndns2Settings settings) => $"{settings.Url}|{settings.Username}|{Hash(settings.Password.Reveal())}";

    internal override string Describe(Dyndns2Settings settings) => $"{settings.Url} as {settings.Username}, password from {settings.Password.Source}";

    internal override Task<DdnsProviderParts> CreateAsync(Dyndns2Settings settings, DdnsEntryConfig entry, TimeProvider time, CancellationToken ct) =>
        Task.FromResult(Http(new Dyndns2Provider(Options(settings), timeProvider: time)));
}
