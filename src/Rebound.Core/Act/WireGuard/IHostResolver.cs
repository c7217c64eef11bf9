using System.Net;
using System.Net.Sockets;

namespace Rebound.Act.WireGuard;

/// <summary>Resolves a peer's endpoint host name. Failures are an empty list, not an exception.</summary>
public interface IHostResolver
{
    ValueTask<IReadOnlyList<IPAddress>> ResolveAsync(string host, CancellationToken cancellationToken);
}

/// <summary>The system resolver (getaddrinfo), bounded by a timeout so a dead DNS server cannot stall healing.</summary>
public sealed class SystemHostResolver(TimeProvider timeProvider, TimeSpan timeout) : IHostResolver
{
    public async ValueTask<IReadOnlyList<IPAddress>> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host, out var literal))
            return [literal];
        try
        {
            return await Dns.GetHostAddressesAsync(host, cancellationToken).WaitAsync(timeout, timeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or TimeoutException or ArgumentException)
        {
            return [];
        }
    }
}
