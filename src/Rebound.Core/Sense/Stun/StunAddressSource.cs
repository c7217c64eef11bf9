using System.Net.Sockets;
using Rebound.Sense.Sources;

namespace Rebound.Sense.Stun;

/// <summary>
/// A STUN server as an address source: resolves its name (reusing the last good address for a while, and when
/// the resolver fails), then one fresh-socket Binding probe.
/// </summary>
public sealed class StunAddressSource(
    StunTarget target,
    IStunProber prober,
    TimeProvider time,
    Func<StunTarget, CancellationToken, Task<(StunServer? Server, string? Error)>> resolve,
    TimeSpan resolveTimeout,
    TimeSpan resolveEvery) : IAddressSource
{
    private StunServer? _resolved;
    private long _resolvedAt;

    public StunTarget Target => target;

    public string Name => target.Name;

    public AddressSourceKind Kind => AddressSourceKind.Stun;

    public AddressFamily Family => _resolved?.EndPoint.Address is { } a && !a.IsIPv4MappedToIPv6 ? a.AddressFamily : target.Family;

    public async Task<AddressAnswer> AskAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var (server, error) = await ResolveAsync(cancellationToken);
        if (server is null)
        {
            return AddressAnswer.Failed(error ?? $"cannot resolve {target.Host}");
        }

        var result = await prober.ProbeAsync(server, timeout, cancellationToken);
        return new AddressAnswer(result.Mapped?.Address, result.Rtt, result.Error, server.EndPoint.Address, result.BytesSent, result.BytesReceived)
        {
            Port = result.Mapped?.Port,
            TimedOut = result.Mapped is null && result.Error?.StartsWith("timeout", StringComparison.Ordinal) == true,
            LocalFailure = result.LocalFailure,
        };
    }

    private async Task<(StunServer? Server, string? Error)> ResolveAsync(CancellationToken ct)
    {
        if (_resolved is not null && time.GetElapsedTime(_resolvedAt) < resolveEvery)
        {
            return (_resolved, null);
        }

        StunServer? server;
        string? error;
        try
        {
            (server, error) = await resolve(target, ct).WaitAsync(resolveTimeout, time, ct);
        }
        catch (TimeoutException)
        {
            (server, error) = (null, $"cannot resolve {target.Host}: no answer within {resolveTimeout.TotalSeconds:0.#} s");
        }

        if (server is not null)
        {
            _resolved = server;
            _resolvedAt = time.GetTimestamp();
            return (server, null);
        }

        // The resolver failing is not the upstream failing: keep probing the address we had.
        return _resolved is not null ? (_resolved, null) : (null, error);
    }
}
