using System.Net;
using Rebound.Configuration;

namespace Rebound.Cli.Serve;

/// <summary>Where and how the agent's local HTTP surface listens.</summary>
internal sealed class AgentHttpServerOptions
{
    public static readonly IPEndPoint DefaultListen = HttpConfig.DefaultListen;

    /// <summary>The listeners of the <c>[http]</c> table, with the default limits.</summary>
    public static AgentHttpServerOptions From(HttpConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new AgentHttpServerOptions { Listen = config.Listen, ControlSocket = config.ControlSocket, ListenRetry = TimeSpan.FromSeconds(30) };
    }

    /// <summary>TCP endpoint; null: no TCP listener. Port 0 picks a free port (tests).</summary>
    public IPEndPoint? Listen { get; init; } = DefaultListen;

    /// <summary>Unix socket path for the CLI (<c>rebound status</c>); null: none. Created with mode 0660.</summary>
    public string? ControlSocket { get; init; }

    /// <summary>Open TCP connections (page loads, scrapes, event streams) served at once; more are closed at once, unread.</summary>
    public int MaxConnections { get; init; } = 32;

    /// <summary>
    /// Open control socket connections served at once: a budget of their own, so a flood on the TCP port never
    /// keeps <c>rebound status</c> from an answer; more are closed at once.
    /// </summary>
    public int MaxControlConnections { get; init; } = 16;

    /// <summary>
    /// When the TCP address cannot be bound (another user took the port first), the agent serves on without it (the
    /// control socket still answers) and tries again this often; null: a bind failure is an error (tests, explicit listen).
    /// </summary>
    public TimeSpan? ListenRetry { get; init; }

    /// <summary>
    /// Descriptors kept free below the soft RLIMIT_NOFILE for probes, DNS updates, heals and the journal: while fewer
    /// are free, every new connection (TCP or control socket) is closed at once. 0: no reserve.
    /// </summary>
    public int DescriptorReserve { get; init; } = 64;

    /// <summary>Test seam: the process's open descriptors and soft limit (null: unknown).</summary>
    internal Func<(long Open, long Limit)?> Descriptors { get; init; } = Serve.DescriptorReserve.ReadProcess;

    /// <summary>After accept fails for lack of descriptors (EMFILE/ENFILE), the wait before trying again (doubling up to 1 s).</summary>
    public TimeSpan AcceptBackoff { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Request line plus headers; larger requests get 431.</summary>
    public int MaxHeaderBytes { get; init; } = HttpRequestHead.DefaultMaxBytes;

    /// <summary>A client must send its whole request head within this time, else 408.</summary>
    public TimeSpan HeaderTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A response write (or an event) that takes longer drops the client.</summary>
    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Comment lines on an idle event stream, so proxies and browsers keep it open.</summary>
    public TimeSpan Heartbeat { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Events queued for one stream client; a client that falls this far behind is dropped.</summary>
    public int EventQueue { get; init; } = 64;

    /// <summary>Events kept for <c>/journal.json</c> when no journal is given.</summary>
    public int RecentEvents { get; init; } = 200;
}
