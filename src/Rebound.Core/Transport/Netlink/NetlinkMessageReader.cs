namespace Rebound.Transport.Netlink;

/// <summary>
/// Walks the nlmsghdr-framed messages of one datagram, for any protocol. Stops at the first message whose length
/// does not fit, so a truncated or hostile datagram yields what came before it; <see cref="Error"/> then says why.
/// </summary>
public ref struct NetlinkMessageReader(ReadOnlySpan<byte> buffer)
{
    private readonly ReadOnlySpan<byte> _buffer = buffer;
    private int _offset;

    /// <summary>Why reading stopped before the end of the buffer; null while (and when) every byte was a whole message.</summary>
    public string? Error { get; private set; }

    public bool Next(out NetlinkHeader header, out ReadOnlySpan<byte> body)
    {
        header = default;
        body = default;
        var remaining = _buffer.Length - _offset;
        if (remaining <= 0 || Error is not null)
            return false;
        if (remaining < NetlinkHeader.Size)
        {
            Error = $"{remaining} trailing bytes at offset {_offset} are shorter than a netlink header";
            return false;
        }

        header = NetlinkHeader.Read(_buffer[_offset..]);
        if (header.Length < NetlinkHeader.Size || header.Length > (uint)remaining)
        {
            Error = $"message at offset {_offset} claims length {header.Length} with {remaining} bytes left";
            return false;
        }

        body = _buffer.Slice(_offset + NetlinkHeader.Size, (int)header.Length - NetlinkHeader.Size);
        _offset += Math.Min(NetlinkFraming.Align((int)header.Length), remaining);
        return true;
    }
}
