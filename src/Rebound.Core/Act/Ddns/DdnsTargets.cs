using System.Net;
using System.Net.Sockets;
using Rebound.Act.Ddns.Engine;
using Rebound.Act.Ddns.Http;
using Rebound.Act.Ddns.Rfc2136;
using Rebound.Configuration;

namespace Rebound.Act.Ddns;

/// <summary>Turns validated <c>[[ddns]]</c> entries into engine targets with their real clients.</summary>
public static class DdnsTargets
{
    /// <summary>
    /// Builds every target. A server name that does not resolve is the one failure left after
    /// validation; it is returned as a one-line problem, not thrown.
    /// </summary>
    public static async Task<(IReadOnlyList<DdnsTarget> Targets, IReadOnlyList<IDisposable> Owned, string? Problem)> CreateAsync(
        ReboundConfig config, TimeProvider time, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(config);
        var targets = new List<DdnsTarget>();
        var owned = new List<IDisposable>();
        foreach (var entry in config.Ddns)
        {
            var id = TargetId(entry);
            IDdnsUpdater updater;
            IDnsVerifier? verifier = null;
            switch (entry.Provider)
            {
                case DdnsProviderKind.Rfc2136:
                    var settings = entry.Rfc2136!;
                    var server = await ResolveAsync(settings.ServerHost, settings.ServerPort, ct);
                    if (server is null)
                    {
                        return ([], owned, $"{entry.Label}: cannot resolve server {settings.ServerHost}");
                    }

                    var client = new Rfc2136Client(new Rfc2136ClientOptions { Server = server, Key = settings.Key }, time);
                    updater = new Rfc2136Updater(client, settings.Zone, (uint)(entry.Ttl ?? DdnsEntryConfig.DefaultTtl));
                    verifier = new AuthoritativeVerifier(client);
                    break;
                case DdnsProviderKind.Dyndns2:
                    updater = Own(owned, new Dyndns2Provider(entry.Dyndns2!.ToOptions(), timeProvider: time));
                    break;
                case DdnsProviderKind.Cloudflare:
                    updater = Own(owned, new CloudflareProvider(entry.Cloudflare!.ToOptions(), timeProvider: time));
                    break;
                case DdnsProviderKind.DuckDns:
                    updater = Own(owned, new DuckDnsProvider(entry.DuckDns!.ToOptions(), timeProvider: time));
                    break;
                case DdnsProviderKind.Desec:
                    updater = Own(owned, new DesecProvider(entry.Desec!.ToOptions(), timeProvider: time));
                    break;
                default:
                    return ([], owned, $"{entry.Label}: unsupported provider");
            }

            if (entry.VerifyServer is { } check)
            {
                // Queries only: no key, so the provider's credentials never reach this server.
                var verifyAt = await ResolveAsync(check.Host, check.Port, ct);
                if (verifyAt is null)
                {
                    return ([], owned, $"{entry.Label}: cannot resolve verify_server {check.Host}");
                }

                verifier = new AuthoritativeVerifier(new Rfc2136Client(new Rfc2136ClientOptions { Server = verifyAt }, time));
            }

            targets.Add(new DdnsTarget(id, DdnsProviders.Name(entry.Provider), entry.Names, updater)
            {
                Families = entry.Families,
                Verifier = verifier,
                MinInterval = entry.MinInterval,
                Refresh = entry.Refresh,
            });
        }

        return (targets, owned, null);
    }

    /// <summary>
    /// The cache key of an entry: its provider and where and as whom it sends (not its position in the
    /// file). A new server, zone, account or credential must not inherit "already sent" from the old one.
    /// Secrets enter only through a hash, and only a short hash of the whole is kept.
    /// </summary>
    internal static string TargetId(DdnsEntryConfig entry)
    {
        var identity = entry.Provider switch
        {
            DdnsProviderKind.Rfc2136 => $"{entry.Rfc2136!.ServerHost}:{entry.Rfc2136.ServerPort}|{entry.Rfc2136.Zone}|{entry.Rfc2136.Key?.Name}|{entry.Ttl}",
            DdnsProviderKind.Dyndns2 => $"{entry.Dyndns2!.Url}|{entry.Dyndns2.Username}|{Hash(entry.Dyndns2.Password.Reveal())}",
            DdnsProviderKind.Cloudflare => $"{entry.Cloudflare!.Api}|{entry.Cloudflare.Zone}|{entry.Cloudflare.ZoneId}|{Hash(entry.Cloudflare.Token.Reveal())}",
            DdnsProviderKind.DuckDns => Hash(entry.DuckDns!.Token.Reveal()),
            DdnsProviderKind.Desec => $"{entry.Desec!.Username}|{Hash(entry.Desec.Token.Reveal())}",
            _ => "",
        };
        var name = DdnsProviders.Name(entry.Provider);
        return $"{name}-{Hash($"{name}|{identity}")[..12]}";
    }

    private static string Hash(string text) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));

    private static HttpProviderUpdater Own<T>(List<IDisposable> owned, T provider)
        where T : IDdnsProvider, IDisposable
    {
        owned.Add(provider);
        return new HttpProviderUpdater(provider);
    }

    private static async Task<IPEndPoint?> ResolveAsync(string host, int port, CancellationToken ct)
    {
        if (IPAddress.TryParse(host, out var literal))
        {
            return new IPEndPoint(literal, port);
        }

        try
        {
            var addresses = await Dns.GetHostAddressesAsync(host, ct);
            return addresses.Length == 0 ? null : new IPEndPoint(addresses[0], port);
        }
        catch (SocketException)
        {
            return null;
        }
    }
}
