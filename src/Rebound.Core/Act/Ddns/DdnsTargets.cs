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
            var id = $"ddns{entry.Index}-{DdnsProviders.Name(entry.Provider)}";
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
