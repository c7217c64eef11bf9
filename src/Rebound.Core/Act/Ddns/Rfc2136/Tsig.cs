using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Rebound.Act.Ddns.Rfc2136;

/// <summary>Signs requests and verifies responses with TSIG (RFC 8945).</summary>
public static class Tsig
{
    /// <summary>The fudge (allowed clock difference) this client puts in requests, as RFC 8945 §10 recommends.</summary>
    public const ushort DefaultFudge = 300;

    /// <summary>
    /// Appends a TSIG RR to <paramref name="message"/> (which must not carry one yet) and increments
    /// ARCOUNT. The MAC covers the message as given plus the TSIG variables (RFC 8945 §4.3.3) with
    /// <paramref name="timeSigned"/> in seconds since the epoch; it is returned for response verification.
    /// </summary>
    public static byte[] Sign(ReadOnlySpan<byte> message, TsigKey key, long timeSigned, out byte[] requestMac, ushort fudge = DefaultFudge)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!DnsHeader.TryRead(message, out var header))
            throw new ArgumentException("not a DNS message", nameof(message));
        if (header.AdditionalCount == ushort.MaxValue)
            throw new ArgumentException("no room for another additional record", nameof(message));

        requestMac = ComputeMac(key, priorMac: null, message, header.Id, timeSigned, fudge, DnsRcode.NoError, []);

        var writer = new DnsWireWriter(message.Length + 128);
        writer.WriteBytes(message);
        writer.PatchUInt16(10, (ushort)(header.AdditionalCount + 1));
        writer.WriteName(key.Name);
        writer.WriteUInt16((ushort)DnsRecordType.Tsig);
        writer.WriteUInt16((ushort)DnsClass.Any);
        writer.WriteUInt32(0);
        int rdLengthAt = writer.Length;
        writer.WriteUInt16(0);
        writer.WriteName(key.Algorithm.WireName());
        writer.WriteUInt48(timeSigned);
        writer.WriteUInt16(fudge);
        writer.WriteUInt16((ushort)requestMac.Length);
        writer.WriteBytes(requestMac);
        writer.WriteUInt16(header.Id);
        writer.WriteUInt16(0); // error
        writer.WriteUInt16(0); // other len
        writer.PatchUInt16(rdLengthAt, (ushort)(writer.Length - rdLengthAt - 2));
        return writer.ToArray();
    }

    /// <summary>
    /// Checks the TSIG of a response to a request signed with <paramref name="key"/> whose MAC was
    /// <paramref name="requestMac"/> (RFC 8945 §5.3: the request MAC, with its length, is prefixed).
    /// <paramref name="response"/> is the raw message that <paramref name="parsed"/> was decoded from.
    /// Returns null when the signature is valid and fresh, otherwise a one-line reason.
    /// </summary>
    public static string? VerifyResponse(
        ReadOnlySpan<byte> response, DnsMessage parsed, TsigKey key, ReadOnlySpan<byte> requestMac, long now)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        ArgumentNullException.ThrowIfNull(key);
        if (parsed.Tsig is not { } tsig)
            return "the response is not signed";
        if (!tsig.KeyName.Equals(key.Name))
            return $"the response is signed with key {tsig.KeyName}, not {key.Name}";
        if (!tsig.Algorithm.Equals(key.Algorithm.WireName()))
            return $"the response is signed with algorithm {tsig.Algorithm}, not {key.Algorithm.Text()}";
        if (tsig.Mac.Length != key.Algorithm.MacLength())
            return $"the response MAC is {tsig.Mac.Length} bytes, expected {key.Algorithm.MacLength()}";
        if ((uint)tsig.Offset > (uint)response.Length || response.Length < DnsHeader.Length)
            return "the response TSIG offset is out of range";

        var expected = ComputeMac(key, requestMac.ToArray(), response[..tsig.Offset], tsig.OriginalId, tsig.TimeSigned, tsig.Fudge, tsig.Error, tsig.OtherData.Span, stripOneAdditional: true);
        if (!CryptographicOperations.FixedTimeEquals(expected, tsig.Mac.Span))
            return "the response signature does not verify (wrong key, or the response was altered)";
        if (Math.Abs(now - tsig.TimeSigned) > tsig.Fudge)
            return $"the response was signed at {FormatTime(tsig.TimeSigned)}, outside the {tsig.Fudge} s fudge of our clock {FormatTime(now)} (clock skew?)";
        return null;
    }

    internal static string FormatTime(long unixSeconds) =>
        unixSeconds is >= 0 and <= 253402300799
            ? DateTimeOffset.FromUnixTimeSeconds(unixSeconds).ToString("yyyy-MM-dd HH:mm:ss'Z'")
            : $"{unixSeconds} (epoch seconds)";

    /// <summary>
    /// HMAC over [priorMac length + priorMac] + message (ID replaced by the original ID and, for a
    /// message that carried the TSIG, ARCOUNT decremented) + TSIG variables in canonical form.
    /// </summary>
    internal static byte[] ComputeMac(
        TsigKey key,
        byte[]? priorMac,
        ReadOnlySpan<byte> message,
        ushort originalId,
        long timeSigned,
        ushort fudge,
        DnsRcode error,
        ReadOnlySpan<byte> otherData,
        bool stripOneAdditional = false)
    {
        var writer = new DnsWireWriter(message.Length + 256);
        if (priorMac is not null)
        {
            writer.WriteUInt16((ushort)priorMac.Length);
            writer.WriteBytes(priorMac);
        }

        int messageAt = writer.Length;
        writer.WriteBytes(message);
        if (message.Length >= DnsHeader.Length)
        {
            writer.PatchUInt16(messageAt, originalId);
            if (stripOneAdditional)
            {
                ushort arCount = BinaryPrimitives.ReadUInt16BigEndian(message[10..]);
                writer.PatchUInt16(messageAt + 10, (ushort)(arCount - 1));
            }
        }

        writer.WriteCanonicalName(key.Name);
        writer.WriteUInt16((ushort)DnsClass.Any);
        writer.WriteUInt32(0);
        writer.WriteCanonicalName(key.Algorithm.WireName());
        writer.WriteUInt48(timeSigned);
        writer.WriteUInt16(fudge);
        writer.WriteUInt16((ushort)error);
        writer.WriteUInt16((ushort)otherData.Length);
        writer.WriteBytes(otherData);
        return key.ComputeMac(writer.Written);
    }
}
