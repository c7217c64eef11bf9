namespace Rebound.Act.Ddns.Rfc2136;

/// <summary>RR TYPE values this client reads or writes (RFC 1035, 3596, 8945); others pass through as numbers.</summary>
public enum DnsRecordType : ushort
{
    A = 1,
    NS = 2,
    CName = 5,
    Soa = 6,
    Ptr = 12,
    Txt = 16,
    Aaaa = 28,
    Opt = 41,
    Tsig = 250,
    Axfr = 252,
    Any = 255,
}

/// <summary>CLASS values; NONE and ANY carry special meaning in UPDATE (RFC 2136 §2.4, §2.5).</summary>
public enum DnsClass : ushort
{
    IN = 1,
    None = 254,
    Any = 255,
}

/// <summary>Header OPCODE values.</summary>
public enum DnsOpcode : byte
{
    Query = 0,
    Update = 5,
}

/// <summary>Response codes, including the TSIG error codes carried in the TSIG RR (RFC 8945 §4.3).</summary>
public enum DnsRcode : ushort
{
    NoError = 0,
    FormErr = 1,
    ServFail = 2,
    NXDomain = 3,
    NotImp = 4,
    Refused = 5,
    YXDomain = 6,
    YXRRSet = 7,
    NXRRSet = 8,
    NotAuth = 9,
    NotZone = 10,
    BadSig = 16,
    BadKey = 17,
    BadTime = 18,
    BadTrunc = 22,
}
