using System.Net.Sockets;

namespace Rebound.Sense.Sources;

/// <summary>
/// Something that tells the public address on request: a STUN server, an HTTP echo, a DNS whoami, or the
/// gateway (a hint only). Each question uses fresh sockets, so the answer reflects the path new flows take now.
/// </summary>
public interface IAddressSource
{
    /// <summary>As configured, e.g. <c>203.0.113.10:3478</c> or <c>https://echo.example/</c>; used in evidence.</summary>
    string Name { get; }

    AddressSourceKind Kind { get; }

    /// <summary>The family of the address this source reports (before it is asked: a name counts as IPv4).</summary>
    AddressFamily Family { get; }

    /// <summary>Never throws for network or protocol failures (those come back as a failed answer); only for cancellation.</summary>
    Task<AddressAnswer> AskAsync(TimeSpan timeout, CancellationToken cancellationToken);
}
