using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rebound.Lab.Tests.Browser;

/// <summary>
/// A Chrome DevTools Protocol client over one WebSocket: numbered commands, answers matched by id,
/// optional flat-mode session ids. Events are ignored (callers poll the page instead).
/// </summary>
public sealed class CdpConnection : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private Task? _receiveLoop;
    private int _nextId;

    public static async Task<CdpConnection> ConnectAsync(Uri webSocketUrl, CancellationToken ct, string? networkNamespace = null)
    {
        var connection = new CdpConnection();
        if (networkNamespace is null)
        {
            await connection._socket.ConnectAsync(webSocketUrl, ct);
        }
        else
        {
            // The socket is created inside the namespace (setns on a throwaway thread) and stays there.
            using var handler = new System.Net.Http.SocketsHttpHandler
            {
                UseProxy = false,
                ConnectCallback = async (context, token) =>
                {
                    var socket = Rebound.Transport.NetworkNamespace.Run(
                        $"/var/run/netns/{networkNamespace}",
                        () => new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp));
                    try
                    {
                        await socket.ConnectAsync(context.DnsEndPoint, token);
                        return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                    }
                    catch
                    {
                        socket.Dispose();
                        throw;
                    }
                },
            };
            using var invoker = new System.Net.Http.HttpMessageInvoker(handler, disposeHandler: false);
            await connection._socket.ConnectAsync(webSocketUrl, invoker, ct);
        }

        connection._receiveLoop = connection.ReceiveLoopAsync();
        return connection;
    }

    /// <summary>Sends <paramref name="method"/> and returns its <c>result</c>; a protocol error throws with its message.</summary>
    public async Task<JsonElement> SendAsync(string method, JsonObject? parameters, string? sessionId, CancellationToken ct)
    {
        var id = Interlocked.Increment(ref _nextId);
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? [] };
        if (sessionId is not null)
        {
            message["sessionId"] = sessionId;
        }

        var answer = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        await _sendLock.WaitAsync(ct);
        try
        {
            await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, endOfMessage: true, ct);
        }
        finally
        {
            _sendLock.Release();
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            return await answer.Task.WaitAsync(timeout.Token);
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        var message = new MemoryStream();
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                var result = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage)
                {
                    continue;
                }

                using (var doc = JsonDocument.Parse(message.ToArray()))
                {
                    var root = doc.RootElement;
                    if (root.TryGetProperty("id", out var idElement) && _pending.TryGetValue(idElement.GetInt32(), out var waiter))
                    {
                        if (root.TryGetProperty("error", out var error))
                            waiter.TrySetException(new InvalidOperationException($"CDP error: {error.GetRawText()}"));
                        else
                            waiter.TrySetResult(root.GetProperty("result").Clone());
                    }
                }

                message.SetLength(0);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
        }

        foreach (var waiter in _pending.Values)
        {
            waiter.TrySetException(new InvalidOperationException("the browser closed the DevTools connection"));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_receiveLoop is not null)
        {
            await _receiveLoop;
        }

        _socket.Dispose();
        _sendLock.Dispose();
        _stop.Dispose();
    }
}
