using System.Net;
using Rebound.Act.Router;
using static Rebound.Act.Router.ConntrackConstants;

namespace Rebound.Tests.Act.Router;

public sealed class ConntrackCodecTests
{
    [Fact]
    public void Kernel_dump_decodes_both_entries_with_tuples_zone_status_and_id()
    {
        var result = ConntrackCodec.Parse(ConntrackVectors.Dump);

        Assert.Null(result.Error);
        Assert.True(result.Done);
        Assert.Equal(2, result.Entries.Count);
        var tcp = result.Entries[0];
        Assert.Equal(AfInet, tcp.Family);
        Assert.Equal(IpprotoTcp, tcp.Original.Protocol);
        Assert.Equal(IPAddress.Parse("10.77.0.2"), tcp.Original.Source);
        Assert.Equal(IPAddress.Parse("203.0.113.10"), tcp.Original.Destination);
        Assert.Equal(40001, tcp.Original.SourcePort);
        Assert.Equal(443, tcp.Original.DestinationPort);
        Assert.Equal(IPAddress.Parse("192.0.2.2"), tcp.Reply.Destination);
        Assert.Equal(40001, tcp.Reply.DestinationPort);
        Assert.Equal(7, tcp.Zone);
        Assert.Equal(ConntrackVectors.TcpId, tcp.Id);
        Assert.Equal(8u, tcp.Status); // IPS_CONFIRMED
        Assert.Equal(45u, tcp.TimeoutSeconds);

        var udp = result.Entries[1];
        Assert.Equal(IpprotoUdp, udp.Original.Protocol);
        Assert.Equal(40000, udp.Original.SourcePort);
        Assert.Equal(5555, udp.Original.DestinationPort);
        Assert.Equal(IPAddress.Parse("203.0.113.10"), udp.Reply.Source);
        Assert.Equal(IPAddress.Parse("198.51.100.2"), udp.Reply.Destination);
        Assert.Equal(0, udp.Zone);
        Assert.Equal(ConntrackVectors.UdpId, udp.Id);
        Assert.Equal("udp 10.77.0.2:40000 -> 203.0.113.10:5555", udp.Original.ToString());
    }

    [Fact]
    public void Delete_request_carries_the_kernels_own_original_tuple_bytes_then_zone_and_id()
    {
        var udp = ConntrackCodec.Parse(ConntrackVectors.Dump).Entries[1];

        var request = ConntrackDeleteRequest.Create(udp, 77);

        Assert.Equal(request.Length, BitConverter.ToInt32(request, 0));
        Assert.Equal(CtDelete, BitConverter.ToUInt16(request, 4));
        Assert.Equal(0x5, BitConverter.ToUInt16(request, 6)); // NLM_F_REQUEST | NLM_F_ACK
        Assert.Equal(77u, BitConverter.ToUInt32(request, 8));
        Assert.Equal(new byte[] { AfInet, NfnetlinkV0, 0, 0 }, request[16..20]);
        Assert.Equal(ConntrackVectors.UdpOriginalTupleHex, Convert.ToHexString(request[20..72]), ignoreCase: true);
        Assert.Equal("0600120000000000", Convert.ToHexString(request[72..80])); // CTA_ZONE 0, padded
        Assert.Equal("08000C00" + ConntrackVectors.UdpId.ToString("X8", System.Globalization.CultureInfo.InvariantCulture), Convert.ToHexString(request[80..88]));
        Assert.Equal(88, request.Length);
    }

    [Fact]
    public void Delete_request_for_ipv6_icmp_uses_v6_and_icmpv6_attributes()
    {
        var tuple = new ConntrackTuple(IPAddress.Parse("2001:db8::2"), IPAddress.Parse("2001:db8:1::10"), IpprotoIcmpv6, 0, 0) { IcmpId = 0x1234, IcmpType = 128, IcmpCode = 0 };
        var entry = new ConntrackEntry(AfInet6, tuple, tuple, 0, 9, 0);

        var request = ConntrackDeleteRequest.Create(entry, 1);

        Assert.Equal(AfInet6, request[16]);
        var text = Convert.ToHexString(request);
        Assert.Contains("14000300" + "20010DB8000000000000000000000002", text, StringComparison.Ordinal); // CTA_IP_V6_SRC
        Assert.Contains("060007001234", text, StringComparison.Ordinal); // CTA_PROTO_ICMPV6_ID
        Assert.Contains("0500080080", text, StringComparison.Ordinal);   // CTA_PROTO_ICMPV6_TYPE 128
    }

    [Fact]
    public void Dump_request_is_a_ct_get_dump_for_the_family()
    {
        var request = ConntrackDumpRequest.Create(5, AfInet);

        Assert.Equal("140000000101010305000000000000000200" + "0000", Convert.ToHexString(request));
    }

    [Fact]
    public void Error_message_becomes_an_ack_with_positive_errno()
    {
        // nlmsghdr(type 2) + errno -2 + the original header.
        var bytes = Convert.FromHexString("24000000020000000900000000000000FEFFFFFF10000000020105000900000000000000");

        var result = ConntrackCodec.Parse(bytes);

        Assert.Null(result.Error);
        Assert.Equal([new ConntrackAck(9, Enoent)], result.Acks);
    }

    [Fact]
    public void Entry_without_a_reply_tuple_is_skipped_and_a_short_tail_is_reported()
    {
        var dump = ConntrackVectors.Dump;
        var cut = dump[..(dump.Length - 3)];

        var result = ConntrackCodec.Parse(cut);

        Assert.Equal(2, result.Entries.Count);
        Assert.False(result.Done);
        Assert.NotNull(result.Error);
    }
}
