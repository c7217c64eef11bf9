using Rebound.Decide;
using Rebound.Sense;
using Rebound.Sense.Sources;

namespace Rebound.Cli.Commands;

/// <summary>One question to every source at once, for <c>probe</c> and <c>ddns update</c>.</summary>
internal static class OneShotSources
{
    /// <summary>HTTP needs a TCP (and TLS) handshake before its question: at least this long.</summary>
    private static readonly TimeSpan SlowTimeout = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Every source's answer, in the order given. <paramref name="userGiven"/>: a STUN name that does not resolve
    /// is bad input (exit 2) rather than an answer. <c>Asked</c> is false when no packet went out (a name did not resolve).
    /// </summary>
    public static async Task<(ProbeObservation Observation, bool Asked)[]> AskAllAsync(
        CliServices services, IReadOnlyList<AddressSourceSpec> specs, TimeSpan timeout, bool userGiven, CancellationToken ct)
    {
        var prober = services.CreateProber(timeout);
        return await Task.WhenAll(specs.Select(spec => AskOneAsync(spec, services, prober, timeout, userGiven, ct)));
    }

    private static async Task<(ProbeObservation Observation, bool Asked)> AskOneAsync(
        AddressSourceSpec spec, CliServices services, Sense.Stun.IStunProber prober, TimeSpan timeout, bool userGiven, CancellationToken ct)
    {
        if (spec is StunTarget target)
        {
            var (server, error) = await services.Resolve(target, ct);
            if (server is null)
            {
                // A server the user named must exist; the built-in defaults may fail to resolve offline.
                return userGiven
                    ? throw new UsageException($"--server {target.Name}: {error}")
                    : (new ProbeObservation(target.Name, IpFamily.Ipv4, null, TimeSpan.Zero, error), false);
            }

            var result = await prober.ProbeAsync(server, ct);
            return (new ProbeObservation(server.Name, IpFamilyNames.Of(server.EndPoint.Address), result.Mapped?.Address, result.Rtt, result.Error)
            {
                Port = result.Mapped?.Port,
            }, true);
        }

        var source = services.CreateSource(spec);
        using var owned = source as IDisposable;
        var wait = spec.Kind is AddressSourceKind.Http or AddressSourceKind.Upnp && timeout < SlowTimeout ? SlowTimeout : timeout;
        var answer = await source.AskAsync(wait, ct);
        var implausible = AddressRanges.Implausible(answer, spec.Kind);
        var address = implausible is null ? answer.Address : null;
        var family = address is not null ? IpFamilyNames.Of(address) : spec.Family == System.Net.Sockets.AddressFamily.InterNetworkV6 ? IpFamily.Ipv6 : IpFamily.Ipv4;
        var asked = answer.Server is not null || answer.Address is not null || answer.TimedOut;
        return (new ProbeObservation(spec.Name, family, address, answer.Rtt, address is null ? implausible ?? answer.Error ?? "no address" : null) { Kind = spec.Kind }, asked);
    }
}
