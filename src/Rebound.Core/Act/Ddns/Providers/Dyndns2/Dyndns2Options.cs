using Rebound.Act.Ddns.Http;

namespace Rebound.Act.Ddns.Providers.Dyndns2;

/// <summary>
/// A dyndns2 ("members.dyndns.org" protocol) account: Dyn, No-IP, and the many services that copied it.
/// ToString never shows the password.
/// </summary>
public sealed class Dyndns2Options : DdnsHttpOptions
{
    /// <summary>Scheme, host and port of the update server, e.g. https://members.dyndns.org/.</summary>
    public required Uri BaseUri { get; init; }

    /// <summary>Path of the update endpoint, relative to <see cref="BaseUri"/>.</summary>
    public string UpdatePath { get; init; } = "/nic/update";

    /// <summary>Parameters a service wants before hostname and myip (OVH: <c>system=dyndns</c>); already escaped.</summary>
    public string? ExtraQuery { get; init; }

    public required string Username { get; init; }

    public required string Password { get; init; }

    /// <summary>
    /// Wait after <c>dnserr</c> or <c>911</c>. The protocol asks clients to back off at least 30 minutes,
    /// so shorter values are raised to 30 minutes.
    /// </summary>
    public TimeSpan ServerTroubleRetry { get; init; } = TimeSpan.FromMinutes(30);

    internal override IReadOnlyList<string> Secrets => [Password];

    public override string ToString() => $"dyndns2 {BaseUri} user {Username} password {DdnsText.Redacted}";

    internal override void Validate()
    {
        ArgumentNullException.ThrowIfNull(BaseUri);
        ArgumentException.ThrowIfNullOrEmpty(Username);
        base.Validate();
    }
}
