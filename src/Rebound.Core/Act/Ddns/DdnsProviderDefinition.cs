using System.Net;
using System.Net.Sockets;
using Rebound.Act.Ddns.Engine;
using Rebound.Configuration;

namespace Rebound.Act.Ddns;

/// <summary>
/// One DNS provider, everything about it in one place: its name (<c>provider = "…"</c>), its keys, how they are read
/// and checked, its cache identity, its <c>check-config</c> line and how its updater is built. Registered in
/// <see cref="DdnsProviders.All"/>; derive from <see cref="DdnsProviderDefinition{TSettings}"/>.
/// </summary>
public abstract class DdnsProviderDefinition(string name, string doc)
{
    /// <summary>The port of a name server given without one (<c>server</c>, <c>verify_server</c>).</summary>
    public const int DnsPort = 53;

    /// <summary>What <c>provider = "…"</c> says; also the provider in events, metrics and cache ids.</summary>
    public string Name { get; } = name;

    /// <summary>One line: what it is and what it needs.</summary>
    public string Doc { get; } = doc;

    /// <summary>Its own keys, after those every <c>[[ddns]]</c> entry has.</summary>
    public abstract IReadOnlyList<ConfigKey> Keys { get; }

    /// <summary>The <c>names</c> the sample configuration shows (TOML).</summary>
    public virtual string ExampleNames => ConfigKey.Toml(["home.example.net"]);

    /// <summary>The <c>min_interval</c> when the entry has none (a provider that throttles says so here).</summary>
    public virtual TimeSpan DefaultMinInterval => TimeSpan.Zero;

    /// <summary>Whether its update carries the records' TTL (the entry's <c>ttl</c>); where it does not, a <c>ttl</c> is refused.</summary>
    public virtual bool WritesTtl => false;

    /// <summary>Whether it has a server of its own to verify at when no <c>verify_server</c> is given.</summary>
    public virtual bool VerifiesAtItsServer => false;

    /// <summary>Completes a record name as written (lower case, no trailing dot), e.g. a bare subdomain of the provider's own domain.</summary>
    public virtual string CompleteName(string name) => name;

    /// <summary>Null when this provider can update <paramref name="name"/>; else what it expects ("found …" is added).</summary>
    public virtual string? CheckName(string name) => null;

    /// <summary>The settings of one entry, or null after reporting every problem.</summary>
    internal abstract object? Read(ConfigSection s, DdnsEntryContext entry);

    /// <summary>
    /// What makes two entries the same target for the cache: where and as whom it sends, never where it stands in the
    /// file. A new server, zone, account or credential must not inherit "already sent" from the old one. Secrets enter
    /// only through <see cref="Hash"/>.
    /// </summary>
    internal abstract string Identity(object settings);

    /// <summary>The provider part of the <c>check-config</c> line; never a secret (say where it comes from).</summary>
    internal abstract string Describe(object settings);

    /// <summary>
    /// The updater (and, for a provider with a server of its own, the verifier) of one entry. Throws
    /// <see cref="DdnsSetupException"/> when the entry cannot run now (its server's name does not resolve).
    /// </summary>
    internal abstract Task<DdnsProviderParts> CreateAsync(object settings, DdnsEntryConfig entry, TimeProvider time, CancellationToken ct);

    /// <summary>SHA-256 in hex: how a secret enters an identity.</summary>
    protected internal static string Hash(string text) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));

    /// <summary>An HTTP provider driven one record at a time, owned by the caller.</summary>
    protected static DdnsProviderParts Http<TProvider>(TProvider provider)
        where TProvider : IDdnsProvider, IDisposable => new(new HttpProviderUpdater(provider)) { Owned = provider };

    /// <summary>The first address of <paramref name="server"/>, or null when it does not resolve.</summary>
    protected internal static async Task<IPEndPoint?> ResolveAsync(HostPort server, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(server);
        if (server.Literal is { } literal)
            return new IPEndPoint(literal, server.Port);
        try
        {
            var addresses = await Dns.GetHostAddressesAsync(server.Host, ct);
            return addresses.Length == 0 ? null : new IPEndPoint(addresses[0], server.Port);
        }
        catch (SocketException)
        {
            return null;
        }
    }
}

/// <summary>A provider whose entries read into <typeparamref name="TSettings"/>.</summary>
public abstract class DdnsProviderDefinition<TSettings>(string name, string doc) : DdnsProviderDefinition(name, doc)
    where TSettings : class
{
    internal sealed override object? Read(ConfigSection s, DdnsEntryContext entry) => ReadSettings(s, entry);

    internal sealed override string Identity(object settings) => Identity((TSettings)settings);

    internal sealed override string Describe(object settings) => Describe((TSettings)settings);

    internal sealed override Task<DdnsProviderParts> CreateAsync(object settings, DdnsEntryConfig entry, TimeProvider time, CancellationToken ct) =>
        CreateAsync((TSettings)settings, entry, time, ct);

    /// <summary>Reads its keys (report problems through them); null when any is wrong.</summary>
    internal abstract TSettings? ReadSettings(ConfigSection s, DdnsEntryContext entry);

    internal abstract string Identity(TSettings settings);

    internal abstract string Describe(TSettings settings);

    internal abstract Task<DdnsProviderParts> CreateAsync(TSettings settings, DdnsEntryConfig entry, TimeProvider time, CancellationToken ct);
}

/// <summary>What the shared keys of the entry being read say, for the provider's own checks.</summary>
/// <param name="Names">The record names, or null when they were wrong.</param>
/// <param name="MinInterval">The entry's <c>min_interval</c>, or the provider's default.</param>
/// <param name="Families">The entry's <c>families</c> (a provider that serves only one says so).</param>
/// <param name="Ttl">The entry's <c>ttl</c>, or null when it has none.</param>
internal sealed record DdnsEntryContext(IReadOnlyList<string>? Names, TimeSpan MinInterval, IReadOnlyList<Decide.IpFamily>? Families = null, int? Ttl = null);

/// <summary>What a provider's definition builds for one entry.</summary>
/// <param name="Updater">Sends the records.</param>
public sealed record DdnsProviderParts(IDdnsUpdater Updater)
{
    /// <summary>Where updates are checked when the entry names no <c>verify_server</c>; null: nowhere.</summary>
    public IDnsVerifier? Verifier { get; init; }

    /// <summary>Disposed by whoever built the targets, when they stop.</summary>
    public IDisposable? Owned { get; init; }
}

/// <summary>An entry that passed validation cannot run now (e.g. its server's name does not resolve); one line.</summary>
public sealed class DdnsSetupException : Exception
{
    public DdnsSetupException()
    {
    }

    public DdnsSetupException(string message)
        : base(message)
    {
    }

    public DdnsSetupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
