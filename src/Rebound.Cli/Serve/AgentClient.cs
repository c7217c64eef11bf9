using System.Net;
using System.Net.Sockets;

using Rebound.Transport;

namespace Rebound.Cli.Serve;

/// <summary>
/// Reads a running agent's routes for the CLI (<c>rebound status</c>): over the control socket when one is
/// configured and present, else over the TCP listener. Throws <see cref="AgentUnreachableException"/>
/// (one line) when no agent answers; what to print then is the caller's.
/// </summary>
internal static class AgentClient
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public static async Task<string> GetAsync(AgentHttpServerOptions options, string path, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(path);
        var socketPath = options.ControlSocket is { } s && File.Exists(s) ? s : null;
        if (socketPath is null && options.Listen is null)
        {
            throw new AgentUnreachableException("the agent has neither a control socket nor a TCP listener configured ([http])");
        }

        using var handler = new SocketsHttpHandler { UseProxy = false, ConnectTimeout = Timeout };
        if (socketPath is not null)
        {
            handler.ConnectCallback = (_, token) => UnixSocketStream.ConnectAsync(socketPath, token);
        }

        using var client = new HttpClient(handler) { Timeout = Timeout };
        var listen = options.Listen;
        if (socketPath is null && TcpListenerOwner.Distrust(Connectable(listen!)) is { } distrust)
        {
            throw new AgentUnreachableException(distrust);
        }

        var where = socketPath ?? listen!.ToString();
        // Over the socket the host is a placeholder; over TCP it is the loopback address the agent accepts.
        var baseUri = socketPath is not null ? new Uri("http://localhost/") : new Uri($"http://{Connectable(listen!)}/");
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var response = await client.GetAsync(new Uri(baseUri, path), ct);
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable && attempt < Attempts)
                {
                    await Task.Delay(RetryAfter * attempt, TimeProvider.System, ct);
                    continue;
                }

                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw new AgentUnreachableException($"the agent at {where} answered {(int)response.StatusCode} for {path}");
                }

                return PrintableText.Clean(await response.Content.ReadAsStringAsync(ct));
            }
            catch (HttpRequestException) when (attempt < Attempts && !ct.IsCancellationRequested)
            {
                // Refused or closed unanswered: a full backlog, or a flood that took the slot. Ask again shortly.
                await Task.Delay(RetryAfter * attempt, TimeProvider.System, ct);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                var why = ex.InnerException is SocketException se ? se.Message : ex.Message;
                throw new AgentUnreachableException($"no agent answers at {where} ({why})", ex);
            }
        }
    }

    /// <summary>A connection refused or closed unanswered (a flood on the socket) is tried again, this many times in all.</summary>
    private const int Attempts = 4;

    private static readonly TimeSpan RetryAfter = TimeSpan.FromMilliseconds(100);

    /// <summary>A wildcard listen address is reached on loopback.</summary>
    private static IPEndPoint Connectable(IPEndPoint listen) =>
        listen.Address.Equals(IPAddress.Any) ? new IPEndPoint(IPAddress.Loopback, listen.Port)
        : listen.Address.Equals(IPAddress.IPv6Any) ? new IPEndPoint(IPAddress.IPv6Loopback, listen.Port)
        : listen;
}

/// <summary>No agent answered (not running, or another address); the message is one line.</summary>
internal sealed class AgentUnreachableException : Exception
{
    public AgentUnreachableException(string message)
        : base(message)
    {
    }

    public AgentUnreachableException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public AgentUnreachableException()
    {
    }
}
