namespace Rebound.Act.Ddns.Rfc2136;

/// <summary>
/// A decoded message. For UPDATE the sections are zone / prerequisite / update / additional (RFC 2136 §2).
/// A TSIG RR, which must be the last additional record, is taken out of <see cref="Additionals"/> into <see cref="Tsig"/>.
/// </summary>
public sealed class DnsMessage
{
    public required DnsHeader Header { get; init; }

    public IReadOnlyList<DnsQuestion> Questions { get; init; } = [];

    public IReadOnlyList<DnsRecord> Answers { get; init; } = [];

    public IReadOnlyList<DnsRecord> Authorities { get; init; } = [];

    public IReadOnlyList<DnsRecord> Additionals { get; init; } = [];

    public DnsTsigRecord? Tsig { get; init; }

    public override string ToString() =>
        $"id {Header.Id} {Header.Opcode} {(Header.IsResponse ? "response " + Header.Rcode : "request")}"
        + $"{(Header.IsTruncated ? " TC" : "")} qd {Questions.Count} an {Answers.Count} ns {Authorities.Count} ar {Additionals.Count}"
        + (Tsig is null ? "" : $" tsig {Tsig.KeyName}");
}
