namespace Rebound.Act.Ddns.Rfc2136;

/// <summary>A decoded TSIG RR (RFC 8945 §4.2). <see cref="Offset"/> is where the RR starts in its message.</summary>
public sealed record DnsTsigRecord(
    DnsName KeyName,
    DnsName Algorithm,
    long TimeSigned,
    ushort Fudge,
    ReadOnlyMemory<byte> Mac,
    ushort OriginalId,
    DnsRcode Error,
    ReadOnlyMemory<byte> OtherData)
{
    public int Offset { get; init; }

    /// <summary>The server's clock (seconds since the epoch) that BADTIME responses carry in Other Data.</summary>
    public long? ServerTime => OtherData.Length == 6
        ? ((long)OtherData.Span[0] << 40) | ((long)OtherData.Span[1] << 32) | ((long)OtherData.Span[2] << 24)
          | ((long)OtherData.Span[3] << 16) | ((long)OtherData.Span[4] << 8) | OtherData.Span[5]
        : null;
}
