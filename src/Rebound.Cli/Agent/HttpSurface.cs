using Rebound.Cli.Serve;
using Rebound.Configuration;
using Rebound.Record;
using Rebound.Record.Journal;
using Rebound.Record.Metrics;
using Rebound.Record.Status;

namespace Rebound.Cli.Agent;

/// <summary>
/// The agent's HTTP server (status page, metrics, control socket) across reloads: restarted only when
/// <c>[http]</c> changed. If the new settings cannot be bound, the previous ones come back.
/// </summary>
internal sealed class HttpSurface(EventHub hub, StatusBoard status, MetricsRegistry metrics, StatusHistory history, EventJournal journal, Action<string> warn) : IAsyncDisposable
{
    private HttpConfig? _config;
    private AgentHttpServer? _server;

    /// <summary>Serves with <paramref name="config"/>. The first call fails (one line) if it cannot bind; later ones warn and keep the old settings.</summary>
    public async Task ApplyAsync(HttpConfig config, CancellationToken ct)
    {
        if (Equals(config, _config))
        {
            return;
        }

        var previous = _config;
        await StopAsync();
        try
        {
            await StartAsync(config, ct);
        }
        catch (InvalidOperationException ex) when (previous is not null)
        {
            warn($"[http] not applied ({ex.Message}); keeping the previous settings");
            try
            {
                await StartAsync(previous, ct);
            }
            catch (InvalidOperationException again)
            {
                // Someone took the port in the gap: the agent goes on without its HTTP surface.
                warn($"[http] the previous settings cannot be restored either ({again.Message}); no status page, metrics or control socket until the next reload");
            }
        }
    }

    private async Task StartAsync(HttpConfig config, CancellationToken ct)
    {
        var server = new AgentHttpServer(
            AgentHttpServerOptions.From(config),
            status,
            metrics,
            limit => journal.IsEnabled ? [.. journal.Query(limit: limit).Select(e => e.Json)] : [],
            TimeProvider.System,
            history);
        server.Listening = message => warn($"[http] {message}");
        try
        {
            await server.StartAsync(ct);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        if (server.ListenProblem is { } problem)
        {
            // Said once; the retries are silent until one binds.
            warn($"[http] {problem}; running without the status page and metrics on TCP (the control socket, if any, still answers); retrying every 30s");
        }

        _server = server;
        _config = config;
        hub.Add(server);
    }

    private async Task StopAsync()
    {
        if (_server is { } server)
        {
            hub.Remove(server);
            _server = null;
            _config = null;
            await server.DisposeAsync();
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}
