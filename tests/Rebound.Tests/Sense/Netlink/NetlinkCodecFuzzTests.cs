using Rebound.Sense.Netlink;
using static Rebound.Tests.Sense.Netlink.NetlinkBytes;

namespace Rebound.Tests.Sense.Netlink;

/// <summary>Seeded mutation fuzzing: whatever bytes arrive, Parse returns and never throws.</summary>
public sealed class NetlinkCodecFuzzTests
{
    private static readonly byte[][] Corpus =
    [
        Link(NetlinkConstants.RtmNewLink, 2, 0x1043, "eth0", Mac("02:00:00:00:00:01"), 6),
        Address(NetlinkConstants.RtmNewAddr, 2, "192.0.2.5", 24),
        Address(NetlinkConstants.RtmDelAddr, 2, "2001:db8::5", 64, extendedFlags: 0x40),
        Route(NetlinkConstants.RtmNewRoute, "192.0.2.1", 2, priority: 100),
        Route(NetlinkConstants.RtmNewRoute, "fe80::1", 2, family: AfInet6, table: 1000),
        Route(NetlinkConstants.RtmNewRoute, null, 0, nextHops: [("192.0.2.1", 2), ("198.51.100.1", 3)]),
        Neighbour(NetlinkConstants.RtmNewNeigh, 2, "192.0.2.1", NetlinkConstants.NudStale, Mac("aa:bb:cc:dd:ee:ff")),
        Error(16, 1, 2),
        Done(1, 2),
        Concat(Link(NetlinkConstants.RtmNewLink, 1, 0x49, "lo"), Address(NetlinkConstants.RtmNewAddr, 1, "127.0.0.1", 8, scope: 254), Done(3, 4)),
    ];

    [Fact]
    public void Truncations_at_every_length_never_throw()
    {
        var cases = 0;
        foreach (var sample in Corpus)
        {
            for (var length = 0; length <= sample.Length; length++)
            {
                var result = NetlinkCodec.Parse(sample.AsSpan(0, length));
                Assert.NotNull(result);
                cases++;
            }
        }

        Assert.Equal(Corpus.Sum(s => s.Length + 1), cases);
    }

    [Fact]
    public void A_hundred_thousand_mutations_never_throw()
    {
        var random = new Random(20261126);
        var buffer = new byte[1024];
        for (var i = 0; i < 100_000; i++)
        {
            var sample = Corpus[random.Next(Corpus.Length)];
            var length = Mutate(random, sample, buffer);
            NetlinkParseResult result;
            try
            {
                result = NetlinkCodec.Parse(buffer.AsSpan(0, length));
            }
            catch (Exception ex)
            {
                Assert.Fail($"case {i}: {ex.GetType().Name} on {Convert.ToHexString(buffer, 0, length)}");
                throw;
            }

            Assert.True(result.IsComplete || result.Error is not null);
        }
    }

    private static int Mutate(Random random, byte[] sample, byte[] buffer)
    {
        sample.CopyTo(buffer, 0);
        var length = sample.Length;
        switch (random.Next(5))
        {
            case 0: // bit flips
                for (var n = random.Next(1, 8); n > 0; n--)
                {
                    buffer[random.Next(length)] ^= (byte)(1 << random.Next(8));
                }

                break;
            case 1: // bogus nlmsg_len
                LeU32((uint)random.Next(-64, 2048)).CopyTo(buffer, 0);
                break;
            case 2: // bogus rtattr length somewhere past the fixed header
                if (length > 24)
                {
                    var at = random.Next(16, length - 2);
                    buffer[at] = (byte)random.Next(256);
                    buffer[at + 1] = (byte)random.Next(4);
                }

                break;
            case 3: // truncate and flip
                length = random.Next(length + 1);
                if (length > 0)
                {
                    buffer[random.Next(length)] = (byte)random.Next(256);
                }

                break;
            default: // random garbage, sometimes behind a plausible header
                length = random.Next(0, buffer.Length);
                random.NextBytes(buffer.AsSpan(0, length));
                if (length >= 16 && random.Next(2) == 0)
                {
                    LeU32((uint)random.Next(16, length + 1)).CopyTo(buffer, 0);
                    buffer[4] = (byte)random.Next(0, 32);
                    buffer[5] = 0;
                }

                break;
        }

        return length;
    }
}
