namespace Rebound.Transport.Netlink;

/// <summary>
/// Walks netlink attributes (struct rtattr / struct nlattr: length u16, type u16, value, padded to 4 bytes), for
/// any protocol. Stops quietly at the first attribute whose length does not fit, so a truncated or hostile message
/// yields what came before it and nothing else.
/// </summary>
public ref struct NetlinkAttributeReader(ReadOnlySpan<byte> span)
{
    public const int HeaderLength = 4;

    /// <summary>Strips NLA_F_NESTED and NLA_F_NET_BYTEORDER from the type.</summary>
    public const ushort TypeMask = 0x3FFF;

    private ReadOnlySpan<byte> _rest = span;

    public bool Next(out ushort type, out ReadOnlySpan<byte> value)
    {
        type = 0;
        value = default;
        if (_rest.Length < HeaderLength)
            return false;

        int length = NetlinkFraming.ReadUInt16(_rest);
        if (length < HeaderLength || length > _rest.Length)
        {
            _rest = default;
            return false;
        }

        type = (ushort)(NetlinkFraming.ReadUInt16(_rest[2..]) & TypeMask);
        value = _rest[HeaderLength..length];
        _rest = _rest[Math.Min(NetlinkFraming.Align(length), _rest.Length)..];
        return true;
    }
}
