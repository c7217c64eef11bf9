using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Rebound.Act.Ddns.Rfc2136;

namespace Rebound.Tests.Act.Ddns.Rfc2136;

/// <summary>Fixed keys, messages and an independent (test-side) TSIG implementation for responses.</summary>
internal static class DnsTestData
{
    public const string Secret256 = "3q2+7wABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGho=";
    public const string Secret512 = "q83vASNFZ4kAESIzRFVmd4iZqrvM3e7/AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKiss";

    public static readonly DnsName Zone = DnsName.Parse("home.test");

    public static TsigKey Key256 { get; } = new(DnsName.Parse("rebound-key"), TsigAlgorithm.HmacSha256, Convert.FromBase64String(Secret256));

    public static TsigKey Key512 { get; } = new(DnsName.Parse("rebound-key"), TsigAlgorithm.HmacSha512, Convert.FromBase64String(Secret512));

    /// <summary>Uncompressed wire form, written by hand rather than by the code under test.</summary>
    public static byte[] Wire(string dotted)
    {
        var bytes = new List<byte>();
        foreach (var label in dotted.TrimEnd('.').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(Encoding.ASCII.GetBytes(label.ToLowerInvariant()));
        }

        bytes.Add(0);
        return [.. bytes];
    }

    public static byte[] U16(int value) => [(byte)(value >> 8), (byte)value];

    public static byte[] U32(uint value) => [(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value];

    public static byte[] U48(long value) => [(byte)(value >> 40), (byte)(value >> 32), (byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value];

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    public static byte[] Hmac(string algorithm, byte[] secret, byte[] data) =>
        algorithm == "hmac-sha512" ? HMACSHA512.HashData(secret, data) : HMACSHA256.HashData(secret, data);

    /// <summary>
    /// Signs a response the way a server does (RFC 8945 §5.3), computed independently of <see cref="Tsig"/>:
    /// HMAC(len(request MAC) | request MAC | response | TSIG variables), then the TSIG RR is appended.
    /// </summary>
    public static byte[] SignResponse(
        byte[] response, string keyName, string algorithm, byte[] secret, byte[] requestMac, long time,
        ushort fudge = 300, int error = 0, byte[]? other = null, bool emptyMac = false)
    {
        other ??= [];
        ushort id = BinaryPrimitives.ReadUInt16BigEndian(response);
        var variables = Concat(Wire(keyName), U16(255), U32(0), Wire(algorithm), U48(time), U16(fudge), U16(error), U16(other.Length), other);
        var mac = emptyMac ? [] : Hmac(algorithm, secret, Concat(U16(requestMac.Length), requestMac, response, variables));
        var rdata = Concat(Wire(algorithm), U48(time), U16(fudge), U16(mac.Length), mac, U16(id), U16(error), U16(other.Length), other);
        var signed = Concat(response, Wire(keyName), U16(250), U16(255), U32(0), U16(rdata.Length), rdata);
        BinaryPrimitives.WriteUInt16BigEndian(signed.AsSpan(10), (ushort)(BinaryPrimitives.ReadUInt16BigEndian(response.AsSpan(10)) + 1));
        return signed;
    }

    /// <summary>A plausible NOERROR answer to a QUERY for gw.home.test A, with compressed names.</summary>
    public static byte[] QueryAnswer(ushort id) => Concat(
        U16(id), U16(0x8400), U16(1), U16(2), U16(1), U16(0),
        Wire("gw.home.test"), U16(1), U16(1),
        [0xC0, 12], U16(1), U16(1), U32(60), U16(4), [192, 0, 2, 1],
        [0xC0, 12], U16(1), U16(1), U32(60), U16(4), [192, 0, 2, 2],
        [0xC0, 15], U16(6), U16(1), U32(3600), U16(5 + 2 + 20), [2, (byte)'n', (byte)'s', 0xC0, 15], [0xC0, 15],
        U32(2026112601), U32(3600), U32(600), U32(86400), U32(300));

    public static byte[] Update() => DnsMessageBuilder.BuildUpdate(
        0x1234,
        Zone,
        [new DnsAddressUpdate(DnsName.Parse("gw.home.test"), System.Net.IPAddress.Parse("192.0.2.1"), 60),
         new DnsAddressUpdate(DnsName.Parse("v6.home.test"), System.Net.IPAddress.Parse("2001:db8::1"), 300)]);
}
