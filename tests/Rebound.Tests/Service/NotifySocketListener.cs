using System.Net.Sockets;
using System.Text;

namespace Rebound.Tests.Service;

/// <summary>
/// Stands in for systemd's notification socket (a Fake of PID 1's side): a real unix datagram socket,
/// bound in a temp directory or as an abstract name, that collects every message. Set
/// <see cref="NotifySocketValue"/> as <c>NOTIFY_SOCKET</c> for a notifier or a child process
/// (e.g. a process-level test of <c>rebound run</c>), then await <see cref="WaitForAsync"/>.
/// </summary>
public sealed class NotifySocketListener : IDisposable
{
    private readonly Socket _socket;
    private readonly string? _directory;
    private readonly List<string> _messages = [];
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _receiving;

    private NotifySocketListener(string endpointPath, string notifySocketValue, string? directory)
    {
        _directory = directory;
        NotifySocketValue = notifySocketValue;
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        _socket.Bind(new UnixDomainSocketEndPoint(endpointPath));
        _receiving = ReceiveAsync();
    }

    /// <summary>A socket file "notify" in a fresh temp directory.</summary>
    public static NotifySocketListener InTempDirectory()
    {
        var dir = Directory.CreateTempSubdirectory("rebound-notify-").FullName;
        var path = Path.Combine(dir, "notify");
        return new NotifySocketListener(path, path, dir);
    }

    /// <summary>An abstract socket (no file), written "@name" in NOTIFY_SOCKET as systemd does.</summary>
    public static NotifySocketListener Abstract()
    {
        var name = $"rebound-test-{Guid.NewGuid():N}";
        return new NotifySocketListener("\0" + name, "@" + name, null);
    }

    /// <summary>The value for <c>NOTIFY_SOCKET</c>.</summary>
    public string NotifySocketValue { get; }

    /// <summary>Every datagram received so far, in order.</summary>
    public IReadOnlyList<string> Messages
    {
        get
        {
            lock (_gate)
            {
                return [.. _messages];
            }
        }
    }

    /// <summary>Waits until a message satisfies <paramref name="match"/>; returns it (throws TimeoutException otherwise).</summary>
    public async Task<string> WaitForAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (Messages.FirstOrDefault(match) is { } found)
            {
                return found;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no matching notification within {timeout}; got: [{string.Join(" | ", Messages)}]");
            }

            await Task.Delay(10);
        }
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var n = await _socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                lock (_gate)
                {
                    _messages.Add(Encoding.UTF8.GetString(buffer, 0, n));
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        _receiving.Wait(TimeSpan.FromSeconds(5));
        _stop.Dispose();
        if (_directory is not null)
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
