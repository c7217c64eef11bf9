using System.Buffers.Binary;
using System.Net;

namespace Rebound.Sense.RouterHints;

/// <summary>
/// Parses the unsolicited announcements a NAT gateway multicasts to 224.0.0.1:5350 when its
/// WAN address or state changes: NAT-PMP (RFC 6886 §3.2.1) and PCP ANNOUNCE (RFC 6887 §14.1).
/// </summary>
public static class RouterAnnouncementCodec
{
    /// <summary>The multicast port both protocols announce to.</summary>
    public const int AnnouncementPort = 5350;

    private const byte NatPmpVersion = 0;
    private const byte NatPmpPublicAddressResponse = 128;
    private const int NatPmpAnnouncementLength = 12;

    private const byte PcpVersion = 2;
    private const byte PcpResponseAnnounce = 0x80; // R bit set, opcode ANNOUNCE (0)
    private const int PcpHeaderLength = 24;

    /// <summary>Never throws; returns false for anything that is not a well-formed success announcement.</summary>
    public static bool TryParse(ReadOnlySpan<byte> datagram, IPAddress source, out RouterHint? hint)
    {
        hint = null;
        if (datagram.Length < 2)
        {
            return false;
        }

        if (datagram[0] == NatPmpVersion)
        {
            // version, opcode 128, result u16, epoch u32, external IPv4 address.
            if (datagram.Length != NatPmpAnnouncementLength
                || datagram[1] != NatPmpPublicAddressResponse
                || BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]) != 0)
            {
                return false;
            }

            var epoch = BinaryPrimitives.ReadUInt32BigEndian(datagram[4..]);
            var external = new IPAddress(datagram.Slice(8, 4));
            hint = new RouterHint("nat-pmp", source, external, epoch);
            return true;
        }

        if (datagram[0] == PcpVersion)
        {
            // version, R|opcode, reserved, result, lifetime u32, epoch u32, 12 reserved bytes; options may follow.
            if (datagram.Length < PcpHeaderLength
                || datagram.Length % 4 != 0
                || datagram[1] != PcpResponseAnnounce
                || datagram[3] != 0)
            {
                return false;
            }

            var epoch = BinaryPrimitives.ReadUInt32BigEndian(datagram[8..]);
            hint = new RouterHint("pcp", source, null, epoch);
            return true;
        }

        return false;
    }

    /// <summary>Writes a NAT-PMP public-address announcement; the lab and tests play the gateway with it.</summary>
    public static int WriteNatPmpAnnouncement(Span<byte> destination, IPAddress externalAddress, uint epochSeconds)
    {
        ArgumentNullException.ThrowIfNull(externalAddress);
        if (destination.Length < NatPmpAnnouncementLength)
        {
            throw new ArgumentException("Destination is shorter than a NAT-PMP announcement.", nameof(destination));
        }

        destination[0] = NatPmpVersion;
        destination[1] = NatPmpPublicAddressResponse;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], epochSeconds);
        if (!externalAddress.TryWriteBytes(destination.Slice(8, 4), out var written) || written != 4)
        {
            throw new ArgumentException("NAT-PMP announces IPv4 addresses only.", nameof(externalAddress));
        }

        return NatPmpAnnouncementLength;
    }
}
