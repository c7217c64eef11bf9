using Rebound.Act.Ddns.Engine;
using Rebound.Configuration;

namespace Rebound.Act.Ddns;

/// <summary>A domain (zone) and the credentials that may change it, in the order of the definition's secret keys.</summary>
public sealed record DdnsDomainSettings(string Domain, IReadOnlyList<Secret> Credentials);

/// <summary>
/// A provider whose entry is a domain and one or more secrets (an API token; a key and its secret). The provider it
/// builds is also the entry's verifier when it can read records back (<see cref="IDnsVerifier"/>).
/// </summary>
public abstract class DdnsDomainDefinition : DdnsProviderDefinition<DdnsDomainSettings>
{
    private readonly IReadOnlyList<SecretKey> _credentials;

    /// <param name="domain">The domain key (<c>domain</c> or <c>zone</c>).</param>
    /// <param name="credentials">Every secret the API needs, all required.</param>
    protected DdnsDomainDefinition(string name, string doc, DdnsZoneKey domain, params SecretKey[] credentials)
        : base(name, doc)
    {
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentNullException.ThrowIfNull(credentials);
        DomainKey = domain;
        _credentials = credentials;
        Keys = [.. credentials, domain];
    }

    public DdnsZoneKey DomainKey { get; }

    public override IReadOnlyList<ConfigKey> Keys { get; }

    public override bool VerifiesAtItsServer => true;

    /// <summary>The provider of one entry: its secrets are revealed only here. <paramref name="ttl"/> is the entry's (null unless <see cref="DdnsProviderDefinition.WritesTtl"/>).</summary>
    private protected abstract IDdnsProvider Build(DdnsDomainSettings settings, int? ttl, TimeProvider time);

    /// <summary>Checks of the entry this provider adds (report problems through <paramref name="s"/>).</summary>
    private protected virtual void Check(ConfigSection s, DdnsEntryContext entry)
    {
    }

    internal override DdnsDomainSettings? ReadSettings(ConfigSection s, DdnsEntryContext entry)
    {
        Check(s, entry);
        var secrets = _credentials.Select(k => k.Read(s)).ToList();
        var domain = DomainKey.Read(s, entry.Names);
        return domain is null || secrets.Any(x => x is null) ? null : new DdnsDomainSettings(domain.ToString().TrimEnd('.'), [.. secrets.OfType<Secret>()]);
    }

    internal override string Identity(DdnsDomainSettings settings) =>
        $"{settings.Domain}|{Hash(string.Join("\n", settings.Credentials.Select(c => c.Reveal())))}";

    internal override string Describe(DdnsDomainSettings settings) =>
        $"{DomainKey.Name} {settings.Domain}, " + string.Join(", ", _credentials.Zip(settings.Credentials, (k, c) => $"{k.Name} from {c.Source}"));

    internal override Task<DdnsProviderParts> CreateAsync(DdnsDomainSettings settings, DdnsEntryConfig entry, TimeProvider time, CancellationToken ct)
    {
        var provider = Build(settings, entry.Ttl, time);
        return Task.FromResult(new DdnsProviderParts(new HttpProviderUpdater(provider))
        {
            Owned = provider as IDisposable,
            Verifier = VerifiesAtItsServer ? provider as IDnsVerifier : null,
        });
    }
}
