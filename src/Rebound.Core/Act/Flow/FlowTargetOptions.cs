using System.Net;

namespace Rebound.Act.Flow;

/// <summary>What <see cref="FlowTarget"/> needs; a <c>[[flow]]</c> table reads straight into these, so each default is written here only.</summary>
public sealed record FlowTargetOptions
{
    public static readonly TimeSpan DefaultVerifyDeadline = TimeSpan.FromSeconds(3);

    public static readonly TimeSpan DefaultPingTimeout = TimeSpan.FromMilliseconds(300);

    /// <summary>
    /// How long new flows from the port keep being hopped after a hop: by then the router's pinned entry of the old
    /// port, refreshed by nothing since, has expired (Linux routers: 120-180 s for an assured UDP flow), so a new flow
    /// from the original port no longer meets it. Healed flows keep their translation after the release either way.
    /// </summary>
    public static readonly TimeSpan DefaultHopKeep = TimeSpan.FromSeconds(180);

    /// <summary>The entry's name: the target is <c>flow:NAME</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The daemon's fixed local UDP ports.</summary>
    public IReadOnlyList<int> LocalPorts { get; init; } = [];

    /// <summary>Remote TCP ports whose connections reset-tcp destroys after a confirmed address change.</summary>
    public IReadOnlyList<int> ResetTcpPorts { get; init; } = [];

    /// <summary>Addresses that answer ICMP echo through the flow when it works; empty: the flow must see replies again (host conntrack).</summary>
    public IReadOnlyList<IPAddress> VerifyPing { get; init; } = [];

    public IReadOnlyList<string>? RestartCommand { get; init; }

    public TimeSpan VerifyDeadline { get; init; } = DefaultVerifyDeadline;

    public TimeSpan VerifyInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan PingTimeout { get; init; } = DefaultPingTimeout;

    public TimeSpan HopKeep { get; init; } = DefaultHopKeep;

    public TimeSpan RestartTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
