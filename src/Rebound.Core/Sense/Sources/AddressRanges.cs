using System.Net;
using System.Net.Sockets;

namespace Rebound.Sense.Sources;

/// <summary>Which addresses a public server can honestly see as a caller's address.</summary>
public static class AddressRanges
{
    /// <summary>
    /// Why an answer cannot be believed: a public server (not a gateway hint) cannot see a private or
    /// documentation address. Null when the answer is plausible.
    /// </summary>
    public static string? Implausible(AddressAnswer answer, AddressSourceKind kind)
    {
        ArgumentNullException.ThrowIfNull(answer);
        return answer.Address is { } address && !kind.IsGatewayHint() && answer.Server is { } server && IsPublic(server) && !IsPublic(address)
            ? $"a public server answered {address}, a private or documentation address"
            : null;
    }

    /// <summary>
    /// True for a globally routable unicast address: not private, shared (carrier NAT), loopback, link-local,
    /// multicast, unspecified, benchmarking or documentation.
    /// </summary>
    public static bool IsPublic(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> b = stackalloc byte[4];
            address.TryWriteBytes(b, out _);
            return !(b[0] is 0 or 10 or 127 or >= 224
                || (b[0] == 100 && b[1] >= 64 && b[1] < 128)
                || (b[0] == 169 && b[1] == 254)
                || (b[0] == 172 && b[1] >= 16 && b[1] < 32)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 192 && b[1] == 0 && b[2] is 0 or 2)
                || (b[0] == 198 && b[1] is 18 or 19)
                || (b[0] == 198 && b[1] == 51 && b[2] == 100)
                || (b[0] == 203 && b[1] == 0 && b[2] == 113));
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }

        Span<byte> v6 = stackalloc byte[16];
        address.TryWriteBytes(v6, out _);
        var isDocumentation = v6[0] == 0x20 && v6[1] == 0x01 && v6[2] == 0x0d && v6[3] == 0xb8;
        var isGlobalUnicast = (v6[0] & 0xe0) == 0x20; // 2000::/3
        return isGlobalUnicast && !isDocumentation;
    }
}
