using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Text;

namespace Rebound.Sense.DnsWhoami;

/// <summary>
/// The few bytes of DNS a whoami needs (RFC 1035): one question out, the first usable answer record in.
/// Pure over spans; every length is checked against the buffer, and compression pointers may only point back.
/// </summary>
public static class DnsWhoamiCodec
{
    public const int HeaderLength = 12;
    private const ushort ClassIn = 1;
    private const ushort ClassChaos = 3;

    /// <summary>Writes a recursion-desired query; returns its length, or 0 when <paramref name="buffer"/> is too small.</summary>
    public static int WriteQuery(Span<byte> buffer, ushort id, string name, DnsWhoamiType type, bool chaos)
    {
        ArgumentNullException.ThrowIfNull(name);
        var needed = HeaderLength + Encoding.ASCII.GetByteCount(name) + 2 + 4;
        if (buffer.Length < needed)
        {
            return 0;
        }

        buffer[..HeaderLength].Clear();
        BinaryPrimitives.WriteUInt16BigEndian(buffer, id);
        buffer[2] = 0x01; // RD
        BinaryPrimitives.WriteUInt16BigEndian(buffer[4..], 1); // QDCOUNT
        var at = HeaderLength;
        foreach (var label in name.TrimEnd('.').Split('.'))
        {
            buffer[at++] = (byte)label.Length;
            at += Encoding.ASCII.GetBytes(label, buffer[at..]);
        }

        buffer[at++] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(buffer[at..], (ushort)type);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[(at + 2)..], chaos ? ClassChaos : ClassIn);
        return at + 4;
    }

    /// <summary>The address in the first A, AAAA or TXT answer that holds one; or why there is none.</summary>
    public static bool TryReadAnswer(ReadOnlySpan<byte> message, ushort id, DnsWhoamiType type, [NotNullWhen(true)] out IPAddress? address, [NotNullWhen(false)] out string? error)
    {
        address = null;
        if (message.Length < HeaderLength)
        {
            error = "truncated DNS header";
            return false;
        }

        if (BinaryPrimitives.ReadUInt16BigEndian(message) != id || (message[2] & 0x80) == 0)
        {
            error = "not the answer to our question";
            return false;
        }

        var rcode = message[3] & 0x0f;
        if (rcode != 0)
        {
            error = rcode switch
            {
                2 => "server failure (SERVFAIL)",
                3 => "no such name (NXDOMAIN)",
                5 => "query refused (REFUSED)",
                _ => $"DNS error code {rcode}",
            };
            return false;
        }

        if ((message[2] & 0x02) != 0)
        {
            error = "truncated answer (TC)";
            return false;
        }

        int questions = BinaryPrimitives.ReadUInt16BigEndian(message[4..]);
        int answers = BinaryPrimitives.ReadUInt16BigEndian(message[6..]);
        var at = HeaderLength;
        for (var i = 0; i < questions; i++)
        {
            if (!SkipName(message, ref at) || (at += 4) > message.Length)
            {
                error = "malformed question";
                return false;
            }
        }

        for (var i = 0; i < answers; i++)
        {
            if (!SkipName(message, ref at) || at + 10 > message.Length)
            {
                error = "malformed answer record";
                return false;
            }

            var rrType = BinaryPrimitives.ReadUInt16BigEndian(message[at..]);
            int length = BinaryPrimitives.ReadUInt16BigEndian(message[(at + 8)..]);
            at += 10;
            if (at + length > message.Length)
            {
                error = "answer record runs past the message";
                return false;
            }

            var data = message.Slice(at, length);
            at += length;
            if (rrType != (ushort)type)
            {
                continue; // e.g. a CNAME before the address
            }

            if ((rrType == (ushort)DnsWhoamiType.A && length == 4) || (rrType == (ushort)DnsWhoamiType.Aaaa && length == 16))
            {
                address = new IPAddress(data);
                error = null;
                return true;
            }

            if (rrType == (ushort)DnsWhoamiType.Txt && TryTxtAddress(data, out address))
            {
                error = null;
                return true;
            }
        }

        error = answers == 0 ? "no answer records" : "no answer record holds an address";
        return false;
    }

    /// <summary>The first character-string of a TXT record that is an address (Google adds an edns0-client-subnet string).</summary>
    private static bool TryTxtAddress(ReadOnlySpan<byte> data, [NotNullWhen(true)] out IPAddress? address)
    {
        var at = 0;
        while (at < data.Length)
        {
            int length = data[at++];
            if (at + length > data.Length)
            {
                break;
            }

            var text = Encoding.ASCII.GetString(data.Slice(at, length)).Trim();
            at += length;
            if (text.Length <= 45 && text.All(c => char.IsAsciiHexDigit(c) || c is '.' or ':') && IPAddress.TryParse(text, out address))
            {
                return true;
            }
        }

        address = null;
        return false;
    }

    private static bool SkipName(ReadOnlySpan<byte> message, ref int at)
    {
        for (var labels = 0; labels < 128 && at < message.Length; labels++)
        {
            int length = message[at];
            if (length == 0)
            {
                at++;
                return true;
            }

            if ((length & 0xc0) == 0xc0)
            {
                // A pointer ends the name; where it points does not matter for skipping.
                at += 2;
                return at <= message.Length;
            }

            if ((length & 0xc0) != 0)
            {
                return false;
            }

            at += 1 + length;
        }

        return false;
    }
}
