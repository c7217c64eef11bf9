namespace Rebound.Act.Ddns.Rfc2136;

/// <summary>How an exchange with the DNS server ended.</summary>
public enum Rfc2136Status
{
    /// <summary>NOERROR, and (when a key is configured) the response signature verified.</summary>
    Success,

    /// <summary>The server answered with an error RCODE (REFUSED, NOTAUTH, NOTZONE, SERVFAIL, …).</summary>
    DnsError,

    /// <summary>TSIG failed: the server rejected ours (BADSIG, BADKEY, BADTIME) or its response did not verify.</summary>
    TsigError,

    /// <summary>No acceptable answer within the timeout, retries included.</summary>
    Timeout,

    /// <summary>The server could not be reached (connection refused, no route, …).</summary>
    Unreachable,

    /// <summary>The server answered with something unusable (malformed, wrong opcode, closed connection).</summary>
    InvalidResponse,
}
