using System.Net;
using Rebound.Sense.Netlink;
using Rebound.Transport.Netlink;
using static Rebound.Tests.Sense.Netlink.NetlinkBytes;

namespace Rebound.Tests.Sense.Netlink;

public sealed class NetlinkCodecTests
{
    public NetlinkCodecTests() => Assert.True(BitConverter.IsLittleEndian, "vectors are written for little-endian hosts");

    [Fact]
    public void Decodes_a_literal_RTM_NEWADDR()
    {
        byte[] datagram =
        [
            0x30, 0x00, 0x00, 0x00, // nlmsg_len 48
            0x14, 0x00,             // nlmsg_type RTM_NEWADDR (20)
            0x00, 0x00,             // nlmsg_flags
            0x01, 0x00, 0x00, 0x00, // nlmsg_seq 1
            0x00, 0x00, 0x00, 0x00, // nlmsg_pid 0 (kernel)
            0x02, 0x18, 0x80, 0x00, // ifa_family AF_INET, ifa_prefixlen 24, ifa_flags IFA_F_PERMANENT, ifa_scope universe
            0x02, 0x00, 0x00, 0x00, // ifa_index 2
            0x08, 0x00, 0x01, 0x00, 0xC0, 0x00, 0x02, 0x05, // IFA_ADDRESS 192.0.2.5
            0x08, 0x00, 0x02, 0x00, 0xC0, 0x00, 0x02, 0x05, // IFA_LOCAL 192.0.2.5
            0x08, 0x00, 0x08, 0x00, 0x80, 0x00, 0x00, 0x00, // IFA_FLAGS 0x80
        ];

        var result = NetlinkCodec.Parse(datagram);

        Assert.True(result.IsComplete, result.Error);
        var address = Assert.IsType<AddressMessage>(Assert.Single(result.Messages));
        Assert.Equal(new NetlinkHeader(48, 20, 0, 1, 0), address.Header);
        Assert.Equal(2, address.Family);
        Assert.Equal(24, address.PrefixLength);
        Assert.Equal(0x80u, address.Flags);
        Assert.Equal(0, address.Scope);
        Assert.Equal(2, address.InterfaceIndex);
        Assert.Equal(IPAddress.Parse("192.0.2.5"), address.Address);
        Assert.Equal(IPAddress.Parse("192.0.2.5"), address.OwnAddress);
        Assert.False(address.IsDelete);
    }

    [Fact]
    public void Writes_a_dump_request_with_request_and_dump_flags()
    {
        var request = NetlinkCodec.CreateDumpRequest(NetlinkConstants.RtmGetAddr, 7);

        byte[] expected =
        [
            0x18, 0x00, 0x00, 0x00, // len 24 = 16 + sizeof(ifaddrmsg)
            0x16, 0x00,             // RTM_GETADDR (22)
            0x01, 0x03,             // NLM_F_REQUEST | NLM_F_ROOT | NLM_F_MATCH
            0x07, 0x00, 0x00, 0x00, // seq 7
            0x00, 0x00, 0x00, 0x00, // pid 0
            0, 0, 0, 0, 0, 0, 0, 0, // ifaddrmsg, AF_UNSPEC
        ];
        Assert.Equal(expected, request);
    }

    [Theory]
    [InlineData(NetlinkConstants.RtmGetLink, 32)]
    [InlineData(NetlinkConstants.RtmGetAddr, 24)]
    [InlineData(NetlinkConstants.RtmGetRoute, 28)]
    [InlineData(NetlinkConstants.RtmGetNeigh, 28)]
    public void Dump_requests_carry_the_family_header_of_their_table(ushort type, int length)
    {
        var request = NetlinkCodec.CreateDumpRequest(type, 1);
        Assert.Equal(length, request.Length);
        var header = NetlinkCodec.Parse(request).Messages.Single().Header;
        Assert.Equal(type, header.Type);
        Assert.Equal((uint)length, header.Length);
    }

    [Fact]
    public void Decodes_a_link_with_name_mac_and_operstate()
    {
        var bytes = Link(NetlinkConstants.RtmNewLink, 3, 0x1043, "eth0", Mac("02:00:5e:10:00:01"), operState: 6);

        var link = Assert.IsType<LinkMessage>(NetlinkCodec.Parse(bytes).Messages.Single());

        Assert.Equal(3, link.InterfaceIndex);
        Assert.Equal("eth0", link.Name);
        Assert.Equal(Mac("02:00:5e:10:00:01"), link.HardwareAddress);
        Assert.Equal((byte)6, link.OperState);
        Assert.True(link.IsUp);
        Assert.False(link.IsLoopback);
        Assert.False(link.IsDelete);
        Assert.True(Assert.IsType<LinkMessage>(NetlinkCodec.Parse(Link(NetlinkConstants.RtmDelLink, 3, 0, null)).Messages.Single()).IsDelete);
    }

    [Fact]
    public void Decodes_ipv4_and_ipv6_routes_with_table_attribute()
    {
        var bytes = Concat(
            Route(NetlinkConstants.RtmNewRoute, "10.0.0.1", 2, priority: 100),
            Route(NetlinkConstants.RtmDelRoute, "fe80::1", 4, family: AfInet6, table: 1000),
            Route(NetlinkConstants.RtmNewRoute, null, 2, dstLen: 24, destination: "10.0.0.0"));

        var result = NetlinkCodec.Parse(bytes);

        Assert.True(result.IsComplete, result.Error);
        var routes = result.Messages.Cast<RouteMessage>().ToList();
        Assert.Equal(IPAddress.Parse("10.0.0.1"), routes[0].Gateway);
        Assert.Equal(2, routes[0].OutputInterfaceIndex);
        Assert.Equal(100u, routes[0].Priority);
        Assert.Equal(254u, routes[0].Table);
        Assert.Equal(0, routes[0].DestinationLength);
        Assert.Equal(1, routes[0].RouteType);
        Assert.True(routes[1].IsDelete);
        Assert.Equal(IPAddress.Parse("fe80::1"), routes[1].Gateway);
        Assert.Equal(1000u, routes[1].Table); // RTA_TABLE wins over the 8-bit rtm_table
        Assert.Equal(IPAddress.Parse("10.0.0.0"), routes[2].Destination);
        Assert.Equal(24, routes[2].DestinationLength);
        Assert.Null(routes[2].Gateway);
    }

    [Fact]
    public void Decodes_multipath_next_hops()
    {
        var bytes = Route(NetlinkConstants.RtmNewRoute, null, 0, nextHops: [("192.0.2.1", 2), ("198.51.100.1", 3)]);

        var route = Assert.IsType<RouteMessage>(NetlinkCodec.Parse(bytes).Messages.Single());

        Assert.Null(route.Gateway);
        Assert.Equal(
            [new RouteNextHop(IPAddress.Parse("192.0.2.1"), 2, 0, 0), new RouteNextHop(IPAddress.Parse("198.51.100.1"), 3, 0, 0)],
            route.NextHops);
    }

    [Fact]
    public void Decodes_neighbours_with_and_without_lladdr()
    {
        var bytes = Concat(
            Neighbour(NetlinkConstants.RtmNewNeigh, 2, "10.0.0.1", NetlinkConstants.NudReachable, Mac("aa:bb:cc:dd:ee:ff")),
            Neighbour(NetlinkConstants.RtmNewNeigh, 2, "2001:db8::1", NetlinkConstants.NudFailed, null));

        var neighbours = NetlinkCodec.Parse(bytes).Messages.Cast<NeighbourMessage>().ToList();

        Assert.Equal(IPAddress.Parse("10.0.0.1"), neighbours[0].Destination);
        Assert.Equal(NetlinkConstants.NudReachable, neighbours[0].State);
        Assert.Equal(Mac("aa:bb:cc:dd:ee:ff"), neighbours[0].LinkLayerAddress);
        Assert.Equal(IPAddress.Parse("2001:db8::1"), neighbours[1].Destination);
        Assert.Null(neighbours[1].LinkLayerAddress);
        Assert.Equal(2, neighbours[1].InterfaceIndex);
    }

    [Fact]
    public void Decodes_control_messages()
    {
        var bytes = Concat(
            Error(105, 9, 77),
            Error(0, 10, 77),
            Done(11, 77),
            Done(12, 77, errno: 16),
            Message(NetlinkFraming.NlmsgNoop, 0, 0, 0, []),
            Message(NetlinkFraming.NlmsgOverrun, 0, 0, 0, []));

        var messages = NetlinkCodec.Parse(bytes).Messages;

        var error = Assert.IsType<ErrorMessage>(messages[0]);
        Assert.Equal(105, error.Errno);
        Assert.Equal(9u, error.OriginalHeader?.Sequence);
        Assert.True(Assert.IsType<ErrorMessage>(messages[1]).IsAcknowledgement);
        Assert.Equal(0, Assert.IsType<DoneMessage>(messages[2]).Errno);
        Assert.Equal(16, Assert.IsType<DoneMessage>(messages[3]).Errno);
        Assert.IsType<NoopMessage>(messages[4]);
        Assert.IsType<OverrunMessage>(messages[5]);
    }

    [Fact]
    public void Unknown_types_and_short_bodies_become_unknown_messages()
    {
        var bytes = Concat(
            Message(100, 0, 0, 0, [1, 2, 3, 4]),
            Message(NetlinkConstants.RtmNewRoute, 0, 0, 0, [2, 0, 0, 0])); // rtmsg needs 12 bytes

        var result = NetlinkCodec.Parse(bytes);

        Assert.True(result.IsComplete);
        Assert.All(result.Messages, m => Assert.IsType<UnknownMessage>(m));
    }

    [Fact]
    public void A_length_beyond_the_buffer_stops_parsing_but_keeps_earlier_messages()
    {
        var bad = Done(2, 0);
        bad[0] = 200;
        var result = NetlinkCodec.Parse(Concat(Done(1, 0), bad));

        Assert.False(result.IsComplete);
        Assert.Single(result.Messages);
        Assert.Contains("claims length 200", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(15u)]
    public void A_length_shorter_than_a_header_is_an_error(uint length)
    {
        var bytes = Done(1, 0);
        NetlinkBytes.LeU32(length).CopyTo(bytes, 0);
        var result = NetlinkCodec.Parse(bytes);
        Assert.False(result.IsComplete);
        Assert.Empty(result.Messages);
    }

    [Fact]
    public void Trailing_bytes_shorter_than_a_header_are_an_error()
    {
        var result = NetlinkCodec.Parse(Concat(Done(1, 0), [1, 2, 3]));
        Assert.False(result.IsComplete);
        Assert.Single(result.Messages);
    }

    [Fact]
    public void A_malformed_attribute_ends_the_attributes_not_the_message()
    {
        var bytes = Link(NetlinkConstants.RtmNewLink, 5, 1, "wan0");
        // Append an attribute whose length (64) runs past the message; fix up nlmsg_len.
        byte[] broken = [.. bytes, 64, 0, 3, 0];
        NetlinkBytes.LeU32((uint)broken.Length).CopyTo(broken, 0);

        var result = NetlinkCodec.Parse(broken);

        Assert.True(result.IsComplete);
        Assert.Equal("wan0", Assert.IsType<LinkMessage>(result.Messages.Single()).Name);
    }

    [Fact]
    public void Attribute_type_flag_bits_are_masked()
    {
        var bytes = Link(NetlinkConstants.RtmNewLink, 5, 1, "wan0");
        bytes[16 + 16 + 3] |= 0x80; // NLA_F_NESTED on the IFLA_IFNAME attribute type
        Assert.Equal("wan0", Assert.IsType<LinkMessage>(NetlinkCodec.Parse(bytes).Messages.Single()).Name);
    }

    [Fact]
    public void An_address_of_the_wrong_size_for_its_family_is_ignored()
    {
        // ifaddrmsg says AF_INET6 but carries a 4-byte IFA_ADDRESS.
        byte[] body = [AfInet6, 64, 0, 0, 2, 0, 0, 0, 8, 0, 1, 0, 10, 0, 0, 1];
        var address = Assert.IsType<AddressMessage>(NetlinkCodec.Parse(Message(NetlinkConstants.RtmNewAddr, 0, 0, 0, body)).Messages.Single());
        Assert.Null(address.Address);
    }

    [Fact]
    public void IFA_FLAGS_overrides_the_8_bit_flags()
    {
        var bytes = Address(NetlinkConstants.RtmNewAddr, 2, "2001:db8::5", 64, ifaFlags: 0, extendedFlags: NetlinkConstants.IfaFTentative | 0x100);
        var address = Assert.IsType<AddressMessage>(NetlinkCodec.Parse(bytes).Messages.Single());
        Assert.Equal(NetlinkConstants.IfaFTentative | 0x100, address.Flags);
        Assert.Null(address.Local);
        Assert.Equal(IPAddress.Parse("2001:db8::5"), address.OwnAddress);
    }

    [Fact]
    public void An_empty_buffer_is_a_complete_empty_result()
    {
        var result = NetlinkCodec.Parse([]);
        Assert.True(result.IsComplete);
        Assert.Empty(result.Messages);
    }
}
