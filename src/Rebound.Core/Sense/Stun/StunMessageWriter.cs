using System.Net;

namespace Rebound.Sense.Stun;

/// <summary>Writes the whole Binding messages this agent (and its test servers) need.</summary>
public static class StunMessageWriter
{
    /// <summary>Writes a Binding request and returns its length.</summary>
    public static int WriteBindingRequest(
        Span<byte> destination, StunTransactionId transactionId, string? software = null, bool fingerprint = false)
    {
        var builder = new StunMessageBuilder(destination, StunMessageType.BindingRequest, transactionId);
        AddTrailer(ref builder, software, fingerprint);
        return builder.Length;
    }

    /// <summary>
    /// Writes a Binding success response carrying <paramref name="mapped"/> as XOR-MAPPED-ADDRESS, or as
    /// plain MAPPED-ADDRESS when <paramref name="legacyMappedAddress"/> imitates an RFC 3489-era server.
    /// </summary>
    public static int WriteBindingSuccessResponse(
        Span<byte> destination,
        StunTransactionId transactionId,
        IPEndPoint mapped,
        string? software = null,
        bool fingerprint = false,
        bool legacyMappedAddress = false)
    {
        var builder = new StunMessageBuilder(destination, StunMessageType.BindingSuccessResponse, transactionId);
        builder.AddAddress(legacyMappedAddress ? StunAttributeType.MappedAddress : StunAttributeType.XorMappedAddress, mapped);
        AddTrailer(ref builder, software, fingerprint);
        return builder.Length;
    }

    /// <summary>Writes a Binding error response with ERROR-CODE <paramref name="code"/> (300-699).</summary>
    public static int WriteBindingErrorResponse(
        Span<byte> destination,
        StunTransactionId transactionId,
        int code,
        string reason,
        string? software = null,
        bool fingerprint = false)
    {
        var builder = new StunMessageBuilder(destination, StunMessageType.BindingErrorResponse, transactionId);
        builder.AddErrorCode(code, reason);
        AddTrailer(ref builder, software, fingerprint);
        return builder.Length;
    }

    private static void AddTrailer(ref StunMessageBuilder builder, string? software, bool fingerprint)
    {
        if (software is not null)
            builder.AddText(StunAttributeType.Software, software);
        if (fingerprint)
            builder.AddFingerprint();
    }
}
