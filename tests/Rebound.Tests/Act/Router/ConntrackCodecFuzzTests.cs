using Rebound.Act.Router;

namespace Rebound.Tests.Act.Router;

/// <summary>Seeded fuzzing: ctnetlink bytes come from the kernel, but the codec must survive anything.</summary>
public sealed class ConntrackCodecFuzzTests
{
    [Fact]
    public void Every_truncation_of_the_kernel_dump_parses_without_throwing()
    {
        var dump = ConntrackVectors.Dump;
        for (var length = 0; length <= dump.Length; length++)
        {
            var result = ConntrackCodec.Parse(dump.AsSpan(0, length));
            Assert.True(result.Entries.Count <= 2);
        }
    }

    [Fact]
    public void Random_bit_flips_and_byte_garbage_never_throw()
    {
        var random = new Random(20261126);
        var dump = ConntrackVectors.Dump;
        for (var i = 0; i < 20000; i++)
        {
            var copy = (byte[])dump.Clone();
            var flips = random.Next(1, 8);
            for (var f = 0; f < flips; f++)
            {
                copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
            }

            var result = ConntrackCodec.Parse(copy);
            foreach (var entry in result.Entries)
            {
                Assert.Equal(entry.Original.Source.AddressFamily, entry.Original.Destination.AddressFamily);
                _ = entry.ToString();
            }
        }

        for (var i = 0; i < 5000; i++)
        {
            var garbage = new byte[random.Next(0, 600)];
            random.NextBytes(garbage);
            _ = ConntrackCodec.Parse(garbage);
            _ = ConntrackCodec.DecodeEntry(garbage);
        }
    }

    [Fact]
    public void Attribute_lengths_pointing_past_the_message_are_cut_not_followed()
    {
        var dump = ConntrackVectors.Dump;
        for (var offset = 20; offset + 1 < 248; offset += 2)
        {
            foreach (var value in new ushort[] { 0, 1, 3, 4, 0xFFFF, 0x7FFF })
            {
                var copy = (byte[])dump.Clone();
                BitConverter.TryWriteBytes(copy.AsSpan(offset), value);
                _ = ConntrackCodec.Parse(copy);
            }
        }
    }
}
