namespace Rebound.Act.Ddns.Http;

/// <summary>
/// A dyndns2 ("members.dyndns.org" protocol) account: Dyn, No-IP, and the many services that copied it.
/// ToString never shows the password.
/// </summary>
public sealed class Dyndns2Options
{
    /// <summary>Scheme, host and port of the update server, e.g. https://members.dyndns.org/.</summary>
    public required Uri BaseUri { get; init; }

    /// <summary>Path of the update endpoint, relative to <see cref="BaseUri"/>.</summary>
    public string UpdatePath { get; init; } = "/nic/update";

    public required string Username { get; init; }

    public required string Password { get; init; }

    /// <summary>Total time one request may take.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Wait after a network failure, a 5xx or an answer we do not understand.</summary>
    public TimeSpan TransientRetry { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Wait after <c>dnserr</c> or <c>911</c>. The protocol asks clients to back off at least 30 minutes,
    /// so shorter values are raised to 30 minutes.
    /// </summary>
    public TimeSpan ServerTroubleRetry { get; init; } = TimeSpan.FromMinutes(30);

    public override string ToString() => $"dyndns2 {BaseUri} user {Username} password {DdnsText.Redacted}";

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(BaseUri);
        ArgumentException.ThrowIfNullOrEmpty(Username);
        ArgumentException.ThrowIfNullOrEmpty(Password);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Timeout, TimeSpan.Zero, nameof(Timeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(TransientRetry, TimeSpan.Zero, nameof(TransientRetry));
    }
}
