namespace Rebound.Sense.Netlink;

/// <summary>What <see cref="NetlinkCodec.Parse"/> made of a datagram.</summary>
/// <param name="Messages">Every message decoded before the first framing error.</param>
/// <param name="Error">Why decoding stopped early, or null when the whole buffer was consumed.</param>
public sealed record NetlinkParseResult(IReadOnlyList<NetlinkMessage> Messages, string? Error)
{
    public bool IsComplete => Error is null;
}
