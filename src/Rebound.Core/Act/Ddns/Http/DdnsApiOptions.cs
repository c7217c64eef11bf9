namespace Rebound.Act.Ddns.Http;

/// <summary>
/// A provider API that works on the records of one domain (zone): where the API is and which domain. A provider's
/// options add its credentials and its default API address.
/// </summary>
public abstract class DdnsApiOptions : DdnsHttpOptions
{
    /// <summary>Scheme and host of the API (tests point it at a fake); null: the provider's own.</summary>
    public Uri? BaseUri { get; init; }

    /// <summary>The domain the records live in, e.g. example.net.</summary>
    public required string Domain { get; init; }

    /// <summary>The provider's published API address.</summary>
    internal abstract Uri DefaultBaseUri { get; }

    internal Uri Api => BaseUri ?? DefaultBaseUri;

    internal override void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Domain);
        base.Validate();
    }
}
