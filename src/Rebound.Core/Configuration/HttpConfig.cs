using System.Net;

namespace Rebound.Configuration;

/// <summary>
/// The <c>[http]</c> table: the agent's status page, metrics and event stream.
/// <see cref="Listen"/> null: no TCP listener. <see cref="ControlSocket"/> null: no unix socket.
/// </summary>
public sealed record HttpConfig(IPEndPoint? Listen, string? ControlSocket)
{
    /// <summary>9464 is the port Prometheus' registry lists for exporters of this kind; loopback only by default.</summary>
    public static readonly IPEndPoint DefaultListen = new(IPAddress.Loopback, 9464);

    public const string ControlSocketName = "control.sock";

    /// <summary>Linux sun_path holds 108 bytes including the terminating NUL.</summary>
    public const int MaxSocketPathBytes = 107;

    public static HttpConfig Default { get; } = new(DefaultListen, null);
}
