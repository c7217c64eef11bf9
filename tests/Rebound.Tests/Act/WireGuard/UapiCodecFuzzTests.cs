using System.Text;
using Rebound.Act.WireGuard;

namespace Rebound.Tests.Act.WireGuard;

/// <summary>
/// Seeded fuzzing: UAPI answers and wg dumps come from another process, so the parsers must answer every input
/// with a state or <see cref="WireGuardProtocolException"/>, never anything else.
/// </summary>
public sealed class UapiCodecFuzzTests
{
    private static readonly byte[] Interesting = "=\n\n:[]0123456789abcdef-errno=public_key=endpoint=\0\xff"u8.ToArray();

    [Fact]
    public void Every_truncation_is_a_protocol_error_or_a_state()
    {
        var vector = UapiCodecTests.WireGuardGoGet;
        for (var length = 0; length < vector.Length; length++)
            Parse(vector.AsSpan(0, length).ToArray());
        Assert.Throws<WireGuardProtocolException>(() => UapiCodec.ParseGet(vector.AsSpan(0, vector.Length - 1)));
    }

    [Fact]
    public void Random_mutations_never_throw_anything_else()
    {
        var random = new Random(20261126);
        var vector = UapiCodecTests.WireGuardGoGet;
        var accepted = 0;
        for (var round = 0; round < 20000; round++)
        {
            var copy = (byte[])vector.Clone();
            var edits = random.Next(1, 6);
            for (var e = 0; e < edits; e++)
            {
                var at = random.Next(copy.Length);
                copy[at] = random.Next(3) == 0 ? (byte)random.Next(256) : Interesting[random.Next(Interesting.Length)];
            }

            if (Parse(copy))
                accepted++;
        }

        Assert.InRange(accepted, 1, 19999); // some survive (digit changes), most do not
    }

    [Fact]
    public void Random_bytes_and_lines_never_throw_anything_else()
    {
        var random = new Random(7);
        for (var round = 0; round < 5000; round++)
        {
            var bytes = new byte[random.Next(0, 200)];
            for (var i = 0; i < bytes.Length; i++)
                bytes[i] = Interesting[random.Next(Interesting.Length)];
            Parse(bytes);
            try
            {
                UapiCodec.ParseSetResponse(bytes);
            }
            catch (WireGuardProtocolException)
            {
            }

            try
            {
                WgDumpParser.Parse(Encoding.Latin1.GetString(bytes).Replace('=', '\t'));
            }
            catch (WireGuardProtocolException)
            {
            }
        }
    }

    private static bool Parse(byte[] input)
    {
        try
        {
            UapiCodec.ParseGet(input);
            return true;
        }
        catch (WireGuardProtocolException)
        {
            return false;
        }
    }
}
