namespace Rebound.Act.Ddns;

public enum DdnsOutcome
{
    /// <summary>The provider accepted the new address.</summary>
    Updated,

    /// <summary>The provider already had this address (dyndns2 <c>nochg</c>); nothing changed, nothing wrong.</summary>
    Unchanged,

    /// <summary>Transient: try again after <see cref="DdnsUpdateResult.RetryAfter"/>.</summary>
    RetryLater,

    /// <summary>Retrying cannot help (bad credentials, unknown host, blocked): stop this record until the config changes.</summary>
    Fatal,
}
