using System.Net;
using Rebound.Sense.RouterHints;

namespace Rebound.Tests.Sense.RouterHints;

public sealed class RouterAnnouncementCodecTests
{
    private static readonly IPAddress Gateway = IPAddress.Parse("10.77.0.1");

    [Fact]
    public void NAT_PMP_announcement_round_trips()
    {
        var buffer = new byte[12];
        var length = RouterAnnouncementCodec.WriteNatPmpAnnouncement(buffer, IPAddress.Parse("192.0.2.2"), 3600);

        Assert.Equal(12, length);
        // RFC 6886 §3.2: version 0, opcode 128, result 0, epoch, external address.
        Assert.Equal(new byte[] { 0, 128, 0, 0, 0, 0, 0x0e, 0x10, 192, 0, 2, 2 }, buffer);
        Assert.True(RouterAnnouncementCodec.TryParse(buffer, Gateway, out var hint));
        Assert.Equal("nat-pmp", hint!.Protocol);
        Assert.Equal(IPAddress.Parse("192.0.2.2"), hint.ExternalAddress);
        Assert.Equal(3600u, hint.EpochSeconds);
        Assert.Equal(Gateway, hint.Source);
    }

    [Fact]
    public void PCP_announce_response_is_a_hint_without_address()
    {
        var pcp = new byte[24];
        pcp[0] = 2;
        pcp[1] = 0x80;
        pcp[11] = 7; // epoch = 7
        Assert.True(RouterAnnouncementCodec.TryParse(pcp, Gateway, out var hint));
        Assert.Equal("pcp", hint!.Protocol);
        Assert.Null(hint.ExternalAddress);
        Assert.Equal(7u, hint.EpochSeconds);
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 0 })]
    [InlineData(new byte[] { 0, 128, 0, 0, 0, 0, 0, 1, 192, 0, 2 })] // short
    [InlineData(new byte[] { 0, 128, 0, 3, 0, 0, 0, 1, 192, 0, 2, 2 })] // result code 3: network failure
    [InlineData(new byte[] { 0, 0, 0, 0, 0, 0, 0, 1, 192, 0, 2, 2 })] // a request, not a response
    [InlineData(new byte[] { 1, 128, 0, 0, 0, 0, 0, 1, 192, 0, 2, 2 })] // unknown version
    public void Malformed_datagrams_are_rejected(byte[] datagram) =>
        Assert.False(RouterAnnouncementCodec.TryParse(datagram, Gateway, out _));

    [Fact]
    public void Random_input_never_throws()
    {
        var random = new Random(5350);
        var buffer = new byte[64];
        for (var i = 0; i < 50_000; i++)
        {
            var length = random.Next(buffer.Length + 1);
            random.NextBytes(buffer.AsSpan(0, length));
            if (i % 3 == 0 && length > 1)
            {
                buffer[0] = (byte)(i % 2 == 0 ? 0 : 2); // steer towards the parsers
            }

            RouterAnnouncementCodec.TryParse(buffer.AsSpan(0, length), Gateway, out _);
        }
    }
}
