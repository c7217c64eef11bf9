using System.Net;

namespace Rebound.Act.Router;

/// <summary>Router mode's settings (the <c>[router]</c> table).</summary>
public sealed class RouterConntrackOptions
{
    /// <summary>Restrict departed-WAN detection to these interfaces; empty: any interface that carried a default route.</summary>
    public IReadOnlyList<string> WanInterfaces { get; init; } = [];

    /// <summary>Addresses whose entries are never deleted, whatever the routes say.</summary>
    public IReadOnlyList<IPAddress> Keep { get; init; } = [];

    public TimeSpan VerifyDeadline { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan VerifyInterval { get; init; } = TimeSpan.FromMilliseconds(500);
}
