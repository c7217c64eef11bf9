using Rebound.Act.Ddns;
using Rebound.Decide;

namespace Rebound.Configuration;

/// <summary>
/// One <c>[[ddns]]</c> entry: the keys every provider shares, and <see cref="Settings"/>, what its provider's
/// definition read from the rest. <see cref="Names"/> are fully qualified, lower-case, without a trailing dot
/// (a provider may complete them, e.g. a bare subdomain of its own domain).
/// </summary>
public sealed record DdnsEntryConfig(
    int Index,
    int Line,
    DdnsProviderDefinition Provider,
    object Settings,
    IReadOnlyList<string> Names,
    IReadOnlyList<IpFamily> Families,
    TimeSpan MinInterval,
    TimeSpan Refresh)
{
    /// <summary>
    /// Where to check that an update is published. Providers with a server of their own (RFC 2136) default to it;
    /// for HTTP providers it must be given (one of the zone's authoritative servers), else nothing is verified.
    /// </summary>
    public HostPort? VerifyServer { get; init; }

    /// <summary>The TTL the records are written with (only providers whose update carries one); null: the provider's choice.</summary>
    public int? Ttl { get; init; }

    /// <summary>How often the records the cache calls current are asked of the server (when there is one to ask).</summary>
    public TimeSpan DriftCheck { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>"ddns[1] (cloudflare)", for log lines.</summary>
    public string Label => $"ddns[{Index}] ({Provider.Name})";

    /// <summary>The provider's settings as their type, e.g. <c>SettingsAs&lt;Rfc2136Settings&gt;()</c>.</summary>
    public T SettingsAs<T>()
        where T : class => Settings as T ?? throw new InvalidOperationException($"{Label} holds {Settings.GetType().Name}, not {typeof(T).Name}");
}
