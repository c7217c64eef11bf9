namespace Rebound.Act.Ddns.Http;

public static class DdnsHttpConstants
{
    /// <summary>
    /// Sent on every request. Providers (dyndns2 in particular) block clients that hide behind a generic
    /// agent string, and a contact URL lets an operator tell us before blocking us.
    /// </summary>
    public const string UserAgent = "Rebound/0.1 (+https://example.invalid/rebound)";

    /// <summary>Provider answers longer than this are cut off; every answer we understand is far shorter.</summary>
    internal const int MaxBodyBytes = 64 * 1024;
}
