using System.Buffers.Binary;

namespace Rebound.Act.Ddns.Rfc2136;

/// <summary>An append-only big-endian byte buffer for building messages; names are written uncompressed.</summary>
internal sealed class DnsWireWriter
{
    private byte[] _buffer;

    public DnsWireWriter(int capacity = 512) => _buffer = new byte[capacity];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, Length);

    public byte[] ToArray() => _buffer.AsSpan(0, Length).ToArray();

    public void WriteUInt8(byte value) => Reserve(1)[0] = value;

    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16BigEndian(Reserve(2), value);

    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32BigEndian(Reserve(4), value);

    /// <summary>The 48-bit unsigned "Time Signed" field of TSIG.</summary>
    public void WriteUInt48(long value)
    {
        var span = Reserve(6);
        BinaryPrimitives.WriteUInt16BigEndian(span, (ushort)((ulong)value >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(span[2..], (uint)value);
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Reserve(bytes.Length));

    public void WriteName(DnsName name) => WriteBytes(name.Wire);

    /// <summary>RFC 4034 §6.2 canonical form (ASCII lower case), as TSIG digests require.</summary>
    public void WriteCanonicalName(DnsName name)
    {
        var span = Reserve(name.Wire.Length);
        name.Wire.CopyTo(span);
        DnsName.LowerCaseInPlace(span);
    }

    public void PatchUInt16(int offset, ushort value) => BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(offset, 2), value);

    private Span<byte> Reserve(int count)
    {
        if (Length + count > _buffer.Length)
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, Length + count));
        var span = _buffer.AsSpan(Length, count);
        Length += count;
        return span;
    }
}
