using System.Net.Sockets;

namespace Rebound.Act.WireGuard;

/// <summary>A WireGuard interface driven over the cross-platform userspace API.</summary>
public sealed class UapiWireGuardControl(string interfaceName, IUapiTransport transport, string describe) : IWireGuardControl
{
    public UapiWireGuardControl(string interfaceName)
        : this(interfaceName, new UnixSocketUapiTransport(UnixSocketUapiTransport.PathFor(interfaceName)), "uapi " + UnixSocketUapiTransport.PathFor(interfaceName))
    {
    }

    public string Interface { get; } = interfaceName;

    public string Describe { get; } = describe;

    public async ValueTask<WireGuardDeviceState> GetAsync(CancellationToken cancellationToken) =>
        UapiCodec.ParseGet(await ExchangeAsync(UapiCodec.GetRequest, cancellationToken).ConfigureAwait(false));

    public async ValueTask SetAsync(WireGuardChange change, CancellationToken cancellationToken)
    {
        var errno = UapiCodec.ParseSetResponse(await ExchangeAsync(UapiCodec.BuildSet(change), cancellationToken).ConfigureAwait(false));
        if (errno != 0)
            throw new WireGuardProtocolException($"{Interface}: set refused with errno {errno}");
    }

    private async ValueTask<byte[]> ExchangeAsync(byte[] request, CancellationToken cancellationToken)
    {
        try
        {
            return await transport.ExchangeAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            throw new WireGuardProtocolException($"{Interface}: {Describe}: {ex.Message}", ex);
        }
    }
}
