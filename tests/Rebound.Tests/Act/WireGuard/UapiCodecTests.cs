using System.Net;
using System.Text;
using Rebound.Act.WireGuard;

namespace Rebound.Tests.Act.WireGuard;

public sealed class UapiCodecTests
{
    /// <summary>What wireguard-go v0.0.20220316 answered to get=1 in the lab (private key replaced).</summary>
    internal static readonly byte[] WireGuardGoGet = Encoding.ASCII.GetBytes(
        "private_key=" + FakeUapiTransport.PrivateKeyHex + "\n" +
        "listen_port=51821\n" +
        "public_key=74b03472bba635726979b57eb8c78dc412a0e8459df3c35e6d723f189f036d76\n" +
        "preshared_key=0000000000000000000000000000000000000000000000000000000000000000\n" +
        "protocol_version=1\n" +
        "endpoint=203.0.113.20:51820\n" +
        "last_handshake_time_sec=1795675310\n" +
        "last_handshake_time_nsec=907033310\n" +
        "tx_bytes=308\n" +
        "rx_bytes=220\n" +
        "persistent_keepalive_interval=25\n" +
        "allowed_ip=10.99.0.1/32\n" +
        "errno=0\n\n");

    [Fact]
    public void Parses_a_wireguard_go_get_response_with_base64_keys_and_no_private_key()
    {
        var state = UapiCodec.ParseGet(WireGuardGoGet);
        Assert.True(state.HasPrivateKey);
        Assert.Equal(51821, state.ListenPort);
        var peer = Assert.Single(state.Peers);
        Assert.Equal("dLA0crumNXJpebV+uMeNxBKg6EWd88NebXI/GJ8DbXY=", peer.PublicKey);
        Assert.Equal(IPEndPoint.Parse("203.0.113.20:51820"), peer.Endpoint);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1795675310).AddTicks(9070333), peer.LastHandshake);
        Assert.Equal(220, peer.RxBytes);
        Assert.Equal(308, peer.TxBytes);
        Assert.Equal(25, peer.PersistentKeepaliveSeconds);
        Assert.Equal(["10.99.0.1/32"], peer.AllowedIps);
        var printed = state.ToString() + peer;
        Assert.DoesNotContain(FakeUapiTransport.PrivateKeyHex, printed, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Convert.FromHexString(FakeUapiTransport.PrivateKeyHex)), printed, StringComparison.Ordinal);
    }

    [Fact]
    public void Several_peers_no_handshake_no_endpoint_and_ipv6()
    {
        var k1 = new string('1', 64);
        var k2 = new string('2', 64);
        var state = UapiCodec.ParseGet(Encoding.ASCII.GetBytes(
            $"listen_port=0\nfwmark=51820\npublic_key={k1}\nlast_handshake_time_sec=0\nlast_handshake_time_nsec=0\n" +
            $"public_key={k2}\nendpoint=[2001:db8::1]:51820\nallowed_ip=10.0.0.0/8\nallowed_ip=fd00::/64\nerrno=0\n\n"));
        Assert.False(state.HasPrivateKey);
        Assert.Equal(51820u, state.FirewallMark);
        Assert.Equal(2, state.Peers.Count);
        Assert.Null(state.Peers[0].LastHandshake);
        Assert.Null(state.Peers[0].Endpoint);
        Assert.Equal(IPEndPoint.Parse("[2001:db8::1]:51820"), state.Peers[1].Endpoint);
        Assert.Equal(["10.0.0.0/8", "fd00::/64"], state.Peers[1].AllowedIps);
    }

    [Theory]
    [InlineData("errno=-2\n\n", "errno -2")]
    [InlineData("listen_port=1\n\n", "without errno")]
    [InlineData("listen_port=1\nerrno=0\n", "empty line")]
    [InlineData("listen_port=70000\nerrno=0\n\n", "listen_port")]
    [InlineData("endpoint=1.2.3.4:5\nerrno=0\n\n", "before any public_key")]
    [InlineData("public_key=zz\nerrno=0\n\n", "public_key")]
    [InlineData("public_key=1111111111111111111111111111111111111111111111111111111111111111\nendpoint=1.2.3.4\nerrno=0\n\n", "endpoint")]
    [InlineData("errno=0\n\nx", "after the terminating")]
    [InlineData("garbage\nerrno=0\n\n", "key=value")]
    public void Malformed_get_responses_are_protocol_errors(string response, string message)
    {
        var ex = Assert.Throws<WireGuardProtocolException>(() => UapiCodec.ParseGet(Encoding.ASCII.GetBytes(response)));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Builds_set_requests_with_hex_keys_update_only_and_ordered_keepalives()
    {
        var request = UapiCodec.BuildSet(new WireGuardChange(43117, [
            new WireGuardPeerChange("dLA0crumNXJpebV+uMeNxBKg6EWd88NebXI/GJ8DbXY=", IPEndPoint.Parse("192.0.2.7:51820"), [0, 25]),
        ]));
        Assert.Equal(
            "set=1\nlisten_port=43117\npublic_key=74b03472bba635726979b57eb8c78dc412a0e8459df3c35e6d723f189f036d76\nupdate_only=true\n" +
            "endpoint=192.0.2.7:51820\npersistent_keepalive_interval=0\npersistent_keepalive_interval=25\n\n",
            Encoding.ASCII.GetString(request));
        Assert.Equal("set=1\nlisten_port=1\n\n", Encoding.ASCII.GetString(UapiCodec.BuildSet(WireGuardChange.Port(1))));
        Assert.Throws<ArgumentException>(() => UapiCodec.BuildSet(new WireGuardChange(null, [new WireGuardPeerChange("nope", null, [])])));
    }

    [Fact]
    public void Set_responses_give_the_errno()
    {
        Assert.Equal(0, UapiCodec.ParseSetResponse("errno=0\n\n"u8));
        Assert.Equal(-98, UapiCodec.ParseSetResponse("errno=-98\n\n"u8));
        Assert.Throws<WireGuardProtocolException>(() => UapiCodec.ParseSetResponse("listen_port=1\nerrno=0\n\n"u8));
        Assert.Throws<WireGuardProtocolException>(() => UapiCodec.ParseSetResponse("\n"u8));
    }

    [Fact]
    public void Keys_convert_between_hex_and_base64_and_reject_the_rest()
    {
        Assert.True(WireGuardKeys.TryHexToBase64("74b03472bba635726979b57eb8c78dc412a0e8459df3c35e6d723f189f036d76", out var b64));
        Assert.True(WireGuardKeys.TryBase64ToHex(b64, out var hex));
        Assert.Equal("74b03472bba635726979b57eb8c78dc412a0e8459df3c35e6d723f189f036d76", hex);
        Assert.False(WireGuardKeys.IsValidBase64Key("dLA0crumNXJpebV+uMeNxBKg6EWd88NebXI/GJ8DbX=="));
        Assert.False(WireGuardKeys.TryHexToBase64(new string('g', 64), out _));
    }

    [Fact]
    public void Parses_wg_show_dump_for_kernel_wireguard()
    {
        var state = WgDumpParser.Parse(
            "(hidden)\tPdbhTzlo2khFBjjFh5viuaRG0rsmkDDVEpzBIlHIjAs=\t51821\toff\n" +
            "dLA0crumNXJpebV+uMeNxBKg6EWd88NebXI/GJ8DbXY=\t(none)\t203.0.113.20:51820\t10.99.0.1/32,10.98.0.0/16\t1795675310\t220\t308\t25\n" +
            "PdbhTzlo2khFBjjFh5viuaRG0rsmkDDVEpzBIlHIjAs=\t(none)\t(none)\t(none)\t0\t0\t0\toff\n");
        Assert.True(state.HasPrivateKey);
        Assert.Equal(51821, state.ListenPort);
        Assert.Equal(2, state.Peers.Count);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1795675310), state.Peers[0].LastHandshake);
        Assert.Equal(["10.99.0.1/32", "10.98.0.0/16"], state.Peers[0].AllowedIps);
        Assert.Equal(25, state.Peers[0].PersistentKeepaliveSeconds);
        Assert.Null(state.Peers[1].Endpoint);
        Assert.Null(state.Peers[1].LastHandshake);
        Assert.Empty(state.Peers[1].AllowedIps);
        Assert.Throws<WireGuardProtocolException>(() => WgDumpParser.Parse("a\tb\n"));
        Assert.Throws<WireGuardProtocolException>(() => WgDumpParser.Parse(""));
    }

    [Fact]
    public void Wg_set_commands_for_kernel_wireguard_toggle_keepalive_in_separate_calls()
    {
        var commands = WgToolWireGuardControl.Commands("wg0", new WireGuardChange(40000, [
            new WireGuardPeerChange("dLA0crumNXJpebV+uMeNxBKg6EWd88NebXI/GJ8DbXY=", IPEndPoint.Parse("192.0.2.7:51820"), [0, 25]),
        ]));
        Assert.Equal(
            [
                "set wg0 listen-port 40000 peer dLA0crumNXJpebV+uMeNxBKg6EWd88NebXI/GJ8DbXY= endpoint 192.0.2.7:51820",
                "set wg0 peer dLA0crumNXJpebV+uMeNxBKg6EWd88NebXI/GJ8DbXY= persistent-keepalive off",
                "set wg0 peer dLA0crumNXJpebV+uMeNxBKg6EWd88NebXI/GJ8DbXY= persistent-keepalive 25",
            ],
            commands.Select(c => string.Join(' ', c)));
    }

    [Fact]
    public void Reads_peer_endpoints_from_a_wg_quick_file_and_nothing_else()
    {
        var endpoints = WgQuickEndpoints.Parse("""
            [Interface]
            PrivateKey = oK56DE9Ue9zK76rAc8pBl6opph+1v36lm7cXXsQKrQM=
            ListenPort = 51820
            # Endpoint = ignored.example:1

            [Peer]
            PublicKey = dLA0crumNXJpebV+uMeNxBKg6EWd88NebXI/GJ8DbXY=
            Endpoint = vpn.home.test:51820   # home
            AllowedIPs = 10.99.0.1/32

            [Peer]
            PublicKey = PdbhTzlo2khFBjjFh5viuaRG0rsmkDDVEpzBIlHIjAs=
            """);
        Assert.Equal("vpn.home.test:51820", Assert.Single(endpoints, kv => kv.Key == "dLA0crumNXJpebV+uMeNxBKg6EWd88NebXI/GJ8DbXY=").Value);
        Assert.Single(endpoints);
        Assert.True(WgQuickEndpoints.TrySplit("[2001:db8::1]:51820", out var host, out var port));
        Assert.Equal(("2001:db8::1", 51820), (host, port));
        Assert.False(WgQuickEndpoints.TrySplit("vpn.home.test", out _, out _));
    }

    [Fact]
    public void Echo_replies_match_our_identifier_and_any_sequence_so_late_answers_count()
    {
        byte[] icmp = [0, 0, 0, 0, 0x12, 0x34, 0x00, 0x07];
        var ip = new byte[20 + icmp.Length];
        ip[0] = 0x45;
        icmp.CopyTo(ip, 20);
        Assert.True(IcmpEchoPinger.IsReply(ip, v6: false, hasIpHeader: true, 0x1234));
        Assert.False(IcmpEchoPinger.IsReply(ip, v6: false, hasIpHeader: true, 0x1235));
        ip[27] = 3; // the answer to an earlier echo (sequence 3), arriving late: the path works
        Assert.True(IcmpEchoPinger.IsReply(ip, v6: false, hasIpHeader: true, 0x1234));
        Assert.True(IcmpEchoPinger.IsReply(icmp, v6: false, hasIpHeader: false, null));
        icmp[0] = 129;
        Assert.True(IcmpEchoPinger.IsReply(icmp, v6: true, hasIpHeader: false, 0x1234));
        Assert.False(IcmpEchoPinger.IsReply(icmp, v6: false, hasIpHeader: false, null)); // 129 is not an IPv4 echo reply
        ip[20] = 8; // our own request, seen on a raw socket
        Assert.False(IcmpEchoPinger.IsReply(ip, v6: false, hasIpHeader: true, 0x1234));
        Assert.False(IcmpEchoPinger.IsReply(ip.AsSpan(0, 10), v6: false, hasIpHeader: true, 0x1234));
    }
}
