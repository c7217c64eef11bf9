using System.Collections.Concurrent;
using Tmds.DBus.Protocol;

namespace Rebound.Tests.Fakes;

/// <summary>
/// Fake of systemd's <c>org.freedesktop.systemd1.Manager</c> (systemd PID 1 cannot run in a test) on a
/// real bus, following the documented D-Bus API: <c>RestartUnit(s name, s mode) -> o job</c>, then the
/// Manager emits <c>JobRemoved(u id, o job, s unit, s result)</c> when the job ends; <c>Subscribe()</c>;
/// unknown units give <c>org.freedesktop.systemd1.NoSuchUnit</c>.
/// </summary>
internal sealed class FakeSystemdManager : IPathMethodHandler, IDisposable
{
    public const string Interface = "org.freedesktop.systemd1.Manager";

    private readonly DBusConnection _connection;
    private uint _nextJob = 41;

    private FakeSystemdManager(DBusConnection connection) => _connection = connection;

    /// <summary>Unit name to the job result its restart ends with (<c>done</c>, <c>failed</c>, ...). Null: the job never ends.</summary>
    public ConcurrentDictionary<string, string?> Units { get; } = new(StringComparer.Ordinal);

    /// <summary>Units whose restart is refused as if polkit said no.</summary>
    public HashSet<string> Denied { get; } = [];

    /// <summary>Send JobRemoved before the method reply, as a fast job can appear to a client.</summary>
    public bool JobEndsBeforeReply { get; set; }

    /// <summary>Runs when a restart job ends (before JobRemoved is sent): wire it to what the unit is.</summary>
    public Action<string>? OnRestart { get; set; }

    public ConcurrentQueue<string> Calls { get; } = new();

    public string Path => "/org/freedesktop/systemd1";

    public bool HandlesChildPaths => false;

    public static async Task<FakeSystemdManager> StartAsync(string busAddress)
    {
        var connection = new DBusConnection(busAddress);
        await connection.ConnectAsync();
        var manager = new FakeSystemdManager(connection);
        connection.AddMethodHandler(manager);
        await connection.RequestNameAsync("org.freedesktop.systemd1");
        return manager;
    }

    public ValueTask HandleMethodAsync(MethodContext context)
    {
        var request = context.Request;
        if (request.InterfaceAsString != Interface)
        {
            context.ReplyUnknownMethodError();
            return ValueTask.CompletedTask;
        }

        switch (request.MemberAsString)
        {
            case "Subscribe":
                Calls.Enqueue("Subscribe");
                using (var writer = context.CreateReplyWriter(null))
                    context.Reply(writer.CreateMessage());
                break;
            case "RestartUnit":
                var reader = request.GetBodyReader();
                var unit = reader.ReadString();
                var mode = reader.ReadString();
                Calls.Enqueue($"RestartUnit {unit} {mode}");
                Restart(context, unit);
                break;
            default:
                context.ReplyUnknownMethodError();
                break;
        }

        return ValueTask.CompletedTask;
    }

    public void Dispose() => _connection.Dispose();

    private void Restart(MethodContext context, string unit)
    {
        if (!Units.TryGetValue(unit, out var result))
        {
            context.ReplyError("org.freedesktop.systemd1.NoSuchUnit", $"Unit {unit} not found.");
            return;
        }

        if (Denied.Contains(unit))
        {
            context.ReplyError("org.freedesktop.DBus.Error.AccessDenied", "Permission denied");
            return;
        }

        var id = Interlocked.Increment(ref _nextJob);
        var job = $"/org/freedesktop/systemd1/job/{id}";
        if (JobEndsBeforeReply && result is not null)
            EndJob(id, job, unit, result);
        using (var writer = context.CreateReplyWriter("o"))
        {
            writer.WriteObjectPath(job);
            context.Reply(writer.CreateMessage());
        }

        if (!JobEndsBeforeReply && result is not null)
        {
            // The job runs after the reply, as systemd's do.
            _ = Task.Run(async () =>
            {
                await Task.Delay(20);
                EndJob(id, job, unit, result);
            });
        }
    }

    private void EndJob(uint id, string job, string unit, string result)
    {
        if (result == "done")
            OnRestart?.Invoke(unit);
        using var writer = _connection.GetMessageWriter();
        writer.WriteSignalHeader(destination: null, path: Path, @interface: Interface, member: "JobRemoved", signature: "uoss");
        writer.WriteUInt32(id);
        writer.WriteObjectPath(job);
        writer.WriteString(unit);
        writer.WriteString(result);
        _connection.TrySendMessage(writer.CreateMessage());
    }
}
