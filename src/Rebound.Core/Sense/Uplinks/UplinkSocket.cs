using System.Net.Sockets;
using System.Text;

namespace Rebound.Sense.Uplinks;

/// <summary>
/// Pins a probe socket to one WAN: <c>SO_BINDTODEVICE</c> (the route lookup may only pick that interface) and,
/// where the router's policy routing chooses the table by mark, <c>SO_MARK</c> (needs CAP_NET_ADMIN, as router
/// mode does anyway).
/// </summary>
public static class UplinkSocket
{
    private const int SolSocket = 1;
    private const int SoBindToDevice = 25;
    private const int SoMark = 36;

    public static void Pin(Socket socket, string interfaceName, uint? mark)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentException.ThrowIfNullOrEmpty(interfaceName);
        var name = new byte[Encoding.ASCII.GetByteCount(interfaceName) + 1];
        Encoding.ASCII.GetBytes(interfaceName, name);
        socket.SetRawSocketOption(SolSocket, SoBindToDevice, name);
        if (mark is { } m)
        {
            socket.SetRawSocketOption(SolSocket, SoMark, BitConverter.GetBytes(m));
        }
    }
}
