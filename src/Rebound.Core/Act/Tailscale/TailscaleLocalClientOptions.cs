namespace Rebound.Act.Tailscale;

public sealed class TailscaleLocalClientOptions
{
    public const string DefaultSocketPath = "/var/run/tailscale/tailscaled.sock";

    /// <summary>The LocalAPI's unix socket.</summary>
    public string SocketPath { get; init; } = DefaultSocketPath;

    /// <summary>Per request; tailscaled answers status in milliseconds.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Disco pings wait for a pong; tailscaled's own ping gives up after a few seconds.</summary>
    public TimeSpan PingTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
