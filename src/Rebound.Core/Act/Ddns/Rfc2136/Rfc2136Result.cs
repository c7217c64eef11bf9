namespace Rebound.Act.Ddns.Rfc2136;

/// <summary>The outcome of one request; <see cref="Message"/> is a single line meant for admins.</summary>
/// <param name="Status">How it ended.</param>
/// <param name="Message">One line: what happened and, for failures, the likely cause.</param>
/// <param name="Rcode">The response RCODE (or TSIG error code for TSIG failures); null without a response.</param>
/// <param name="Response">The accepted response, if any (answers of a QUERY are in it).</param>
/// <param name="Elapsed">From the first transmission to the end.</param>
public sealed record Rfc2136Result(Rfc2136Status Status, string Message, DnsRcode? Rcode, DnsMessage? Response, TimeSpan Elapsed)
{
    public bool Succeeded => Status == Rfc2136Status.Success;

    /// <summary>The response carried a TSIG that verified against our key and request.</summary>
    public bool ResponseVerified { get; init; }

    /// <summary>The answer came over TCP (truncated UDP answer, or <see cref="Rfc2136ClientOptions.TcpOnly"/>).</summary>
    public bool UsedTcp { get; init; }

    /// <summary>UDP transmissions made (first plus retransmissions).</summary>
    public int Transmissions { get; init; }

    public override string ToString() => $"{Status}: {Message}";
}
