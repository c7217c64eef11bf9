using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Rebound.Tests.EndToEnd;

/// <summary>
/// <c>dotnet rebound.dll run --config FILE --json</c> as a real process: every JSON line it prints is kept in order,
/// and tests wait for the line they expect (no fixed sleeps). Disposing kills the process if it still runs.
/// </summary>
internal sealed class AgentProcess : IAsyncDisposable
{
    /// <summary>Generous: the machine is small and shared, and a dotnet start alone can take seconds there.</summary>
    public static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(30);

    private static string ReboundDll => Path.Combine(AppContext.BaseDirectory, "rebound.dll");

    private readonly Process _process;
    private readonly List<JsonElement> _events = [];
    private readonly StringBuilder _stderr = new();
    private readonly StringBuilder _stdoutOther = new();
    private readonly Lock _gate = new();
    private readonly Task _pump;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _ended;

    private AgentProcess(Process process)
    {
        _process = process;
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_gate)
                    _stderr.AppendLine(e.Data);
            }
        };
        _process.BeginErrorReadLine();
        _pump = Task.Run(PumpAsync);
    }

    public int Id => _process.Id;

    public static AgentProcess Start(string configPath) =>
        new(Process.Start(new ProcessStartInfo("dotnet", [ReboundDll, "run", "--config", configPath, "--json"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!);

    /// <summary>Runs <c>rebound ARGS</c> to the end (at most a minute): exit code, stdout, stderr.</summary>
    public static async Task<(int Exit, string Stdout, string Stderr)> RunToEndAsync(params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo("dotnet", [ReboundDll, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stdout = p.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = p.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await p.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw;
        }

        return (p.ExitCode, await stdout, await stderr);
    }

    /// <summary>Everything printed so far, in order.</summary>
    public IReadOnlyList<JsonElement> Events
    {
        get
        {
            lock (_gate)
                return [.. _events];
        }
    }

    public string Stderr
    {
        get
        {
            lock (_gate)
                return _stderr.ToString();
        }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>
    /// The first event at or after index <paramref name="from"/> that matches; its index too, so the next wait can
    /// start after it. Fails with the whole transcript when the process ends or <paramref name="timeout"/> passes first.
    /// </summary>
    public async Task<(int Index, JsonElement Event)> WaitForAsync(string description, Func<JsonElement, bool> match, int from = 0, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultWait);
        while (true)
        {
            Task changed;
            bool ended;
            lock (_gate)
            {
                for (var i = from; i < _events.Count; i++)
                {
                    if (match(_events[i]))
                        return (i, _events[i]);
                }

                changed = _changed.Task;
                ended = _ended;
            }

            var left = deadline - DateTime.UtcNow;
            if (ended || left <= TimeSpan.Zero)
                throw new Xunit.Sdk.XunitException($"rebound {(ended ? "ended" : "went on")} without printing {description}.\n{Transcript()}");
            try
            {
                await changed.WaitAsync(left, TestContext.Current.CancellationToken);
            }
            catch (TimeoutException)
            {
                // Checked once more, then reported.
            }
        }
    }

    /// <summary>Waits for an event by name with optional field values, e.g. <c>("heal-step", ("action", "rebind"), ("result", "done"))</c>.</summary>
    public Task<(int Index, JsonElement Event)> WaitForAsync(string name, int from, params (string Field, string Value)[] fields) =>
        WaitForAsync($"{name} {string.Join(' ', fields.Select(f => $"{f.Field}={f.Value}"))}", e => Is(e, name, fields), from);

    public static bool Is(JsonElement e, string name, params (string Field, string Value)[] fields) =>
        Text(e, "event") == name && fields.All(f => Text(e, f.Field) == f.Value);

    /// <summary>A field as text (strings as they are, other values as raw JSON); null when absent.</summary>
    public static string? Text(JsonElement e, string field) =>
        !e.TryGetProperty(field, out var value) ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : value.GetRawText();

    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _process.Id.ToString(CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    /// <summary>SIGKILL: a crash, nothing gets to clean up.</summary>
    public async Task KillHardAsync()
    {
        _process.Kill(entireProcessTree: false);
        await WaitForExitAsync();
    }

    /// <summary>Waits for the process and for everything it printed.</summary>
    public async Task WaitForExitAsync(TimeSpan? timeout = null)
    {
        try
        {
            await _process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(timeout ?? DefaultWait, TestContext.Current.CancellationToken);
            await _pump.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        }
        catch (TimeoutException ex)
        {
            throw new Xunit.Sdk.XunitException($"rebound did not exit within {(timeout ?? DefaultWait).TotalSeconds} s.\n{Transcript()}", ex);
        }

        // The pipe's end can come before the exit code is recorded.
        _process.WaitForExit();
    }

    public string Transcript()
    {
        lock (_gate)
            return $"stdout:\n{string.Join('\n', _events.Select(e => e.GetRawText()))}\n{_stdoutOther}stderr:\n{_stderr}";
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
            await _pump.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            // Already gone, or never started.
        }

        _process.Dispose();
    }

    private async Task PumpAsync()
    {
        try
        {
            while (await _process.StandardOutput.ReadLineAsync() is { } line)
            {
                JsonElement? parsed = null;
                try
                {
                    using var document = JsonDocument.Parse(line);
                    parsed = document.RootElement.Clone();
                }
                catch (JsonException)
                {
                    // Not an event: kept for the transcript.
                }

                lock (_gate)
                {
                    if (parsed is { } e)
                        _events.Add(e);
                    else
                        _stdoutOther.AppendLine(line);
                    Changed();
                }
            }
        }
        finally
        {
            lock (_gate)
            {
                _ended = true;
                Changed();
            }
        }
    }

    private void Changed()
    {
        _changed.TrySetResult();
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
