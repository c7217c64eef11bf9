using Tmds.DBus.Protocol;

namespace Rebound.Act.Systemd;

/// <summary>
/// Restarts a unit through systemd's D-Bus API on the system bus: <c>Manager.RestartUnit(name, "replace")</c>
/// returns a job path; the restart is finished when the Manager's <c>JobRemoved</c> signal names that job,
/// and it worked when the signal's result is <c>done</c>.
/// </summary>
public sealed class SystemdUnitRestarter(SystemdUnitRestarterOptions? options = null) : IUnitRestarter
{
    private const string Service = "org.freedesktop.systemd1";
    private const string ManagerPath = "/org/freedesktop/systemd1";
    private const string ManagerInterface = "org.freedesktop.systemd1.Manager";

    private readonly SystemdUnitRestarterOptions _options = options ?? new SystemdUnitRestarterOptions();

    public async ValueTask<string> RestartAsync(string unit, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(unit);
        var address = _options.BusAddress ?? SystemdUnitRestarterOptions.SystemBusAddress();
        var time = _options.TimeProvider;
        using var timeout = new CancellationTokenSource(_options.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var token = linked.Token;
        var started = time.GetTimestamp();
        using var connection = new DBusConnection(address);
        try
        {
            await connection.ConnectAsync().AsTask().WaitAsync(token);

            // JobRemoved is matched before RestartUnit is called: a quick job may end before the call's reply arrives.
            var removed = new Dictionary<string, string>(StringComparer.Ordinal);
            var jobEnded = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            string? jobPath = null;
            var gate = new Lock();
            using var match = await connection.AddMatchAsync(
                new MatchRule { Type = MessageType.Signal, Interface = ManagerInterface, Member = "JobRemoved", Path = ManagerPath },
                static (Message message, object? _) =>
                {
                    var reader = message.GetBodyReader();
                    reader.ReadUInt32();
                    var job = reader.ReadObjectPathAsString();
                    reader.ReadString();
                    return (Job: job, Result: reader.ReadString());
                },
                (Notification<(string Job, string Result)> notification) =>
                {
                    if (!notification.HasValue)
                        return;
                    var signal = notification.Value;
                    lock (gate)
                    {
                        if (jobPath is null)
                            removed[signal.Job] = signal.Result;
                        else if (signal.Job == jobPath)
                            jobEnded.TrySetResult(signal.Result);
                    }
                },
                emitOnCapturedContext: false,
                ObserverFlags.None).AsTask().WaitAsync(token);

            // systemd sends job signals to subscribed clients (and to a job's requester); subscribing costs nothing.
            await CallAsync(connection, "Subscribe", null, null, token);
            var path = await CallAsync(connection, "RestartUnit", unit, "replace", token);
            lock (gate)
            {
                jobPath = path;
                if (removed.TryGetValue(path!, out var early))
                    jobEnded.TrySetResult(early);
            }

            var result = await jobEnded.Task.WaitAsync(token);
            var ms = (long)time.GetElapsedTime(started).TotalMilliseconds;
            if (result != "done")
                throw new UnitRestartException($"restarting {unit} ended with job result \"{result}\" (see journalctl -u {unit})");
            return $"{unit} restarted in {ms} ms (job {JobNumber(path!)})";
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new UnitRestartException($"restarting {unit} did not finish within {_options.Timeout.TotalSeconds:0.#} s");
        }
        catch (DBusErrorReplyException ex)
        {
            throw new UnitRestartException(Describe(unit, ex), ex);
        }
        catch (Exception ex) when (ex is DBusConnectionException or DBusExceptionBase or System.Net.Sockets.SocketException or IOException)
        {
            var reason = SocketPath(address) is { } socket && !Path.Exists(socket) ? $"no socket at {socket}" : OneLine(ex.Message);
            throw new UnitRestartException($"cannot reach systemd on the system bus at {address} (is this a systemd host?): {reason}", ex);
        }
    }

    private static async Task<string?> CallAsync(DBusConnection connection, string member, string? unit, string? mode, CancellationToken token)
    {
        MessageBuffer message;
        using (var writer = connection.GetMessageWriter())
        {
            writer.WriteMethodCallHeader(destination: Service, path: ManagerPath, @interface: ManagerInterface, member: member, signature: unit is null ? null : "ss");
            if (unit is not null)
            {
                writer.WriteString(unit);
                writer.WriteString(mode!);
            }

            message = writer.CreateMessage();
        }

        if (unit is null)
        {
            await connection.CallMethodAsync(message).WaitAsync(token);
            return null;
        }

        return await connection.CallMethodAsync(message, static (Message reply, object? _) => reply.GetBodyReader().ReadObjectPathAsString()).WaitAsync(token);
    }

    private static string Describe(string unit, DBusErrorReplyException ex) => ex.ErrorName switch
    {
        "org.freedesktop.systemd1.NoSuchUnit" => $"systemd has no unit {unit} (org.freedesktop.systemd1.NoSuchUnit)",
        "org.freedesktop.DBus.Error.AccessDenied" or "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired"
            => $"not allowed to restart {unit} ({ex.ErrorName}); run as root or grant it with a polkit rule",
        "org.freedesktop.DBus.Error.ServiceUnknown" or "org.freedesktop.DBus.Error.NameHasNoOwner"
            => $"systemd is not on the system bus ({ex.ErrorName}); is this a systemd host?",
        _ when ex.ErrorName.StartsWith("org.freedesktop.DBus.Error.Spawn.", StringComparison.Ordinal)
            => $"systemd is not on the system bus and could not be started ({ex.ErrorName}); is this a systemd host?",
        _ => $"restarting {unit} failed: {ex.ErrorName}: {OneLine(ex.ErrorMessage)}",
    };

    /// <summary>The file of a <c>unix:path=...</c> address, for a clearer error when it is missing.</summary>
    private static string? SocketPath(string address)
    {
        const string prefix = "unix:path=";
        if (!address.StartsWith(prefix, StringComparison.Ordinal))
            return null;
        var end = address.IndexOfAny([',', ';'], prefix.Length);
        return end < 0 ? address[prefix.Length..] : address[prefix.Length..end];
    }

    private static string JobNumber(string path) => path[(path.LastIndexOf('/') + 1)..];

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
