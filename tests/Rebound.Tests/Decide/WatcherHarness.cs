using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;
using Rebound.Decide;
using Rebound.Sense;
using Rebound.Sense.Sources;
using Rebound.Sense.Netlink;
using Rebound.Sense.RouterHints;
using Rebound.Tests.Fakes;

namespace Rebound.Tests.Decide;

/// <summary>
/// Runs a <see cref="WanWatcher"/> on fake time. The watcher tells us each time it goes idle, so the test
/// advances time exactly to its next round; no real sleeping decides the outcome.
/// </summary>
internal sealed class WatcherHarness : IAsyncDisposable
{
    public const string S1 = "203.0.113.10:3478";
    public const string S2 = "203.0.113.11:3478";
    public const string S3 = "203.0.113.12:3478";

    private static readonly TimeSpan RealTimeout = TimeSpan.FromSeconds(10);
    private readonly Channel<WanEvent> _events = Channel.CreateUnbounded<WanEvent>();
    private readonly SemaphoreSlim _idle = new(0);
    private readonly CancellationTokenSource _stop = new();
    private Task _run = Task.CompletedTask;

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero));

    public ScriptedStunProber Prober { get; } = new();

    /// <summary>The fake HTTP/DNS/gateway sources the watcher made, by name (they answer from <see cref="Prober"/>'s script).</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, FakeAddressSource> Sources { get; } = new();

    public TimeSpan NextDelay { get; private set; }

    public WanWatcher? Watcher { get; private set; }

    public static WanWatcherOptions Options(params string[] servers) => Options(TimeSpan.FromSeconds(1), servers);

    public static WanWatcherOptions Options(TimeSpan interval, params string[] servers) => new()
    {
        Targets = [.. servers.Select(s => AddressSourceSpec.TryParse(s, out var t, out _) ? t! : throw new ArgumentException(s))],
        Interval = interval,
    };

    /// <summary>Starts the watcher and waits until its start-up rounds, confirmation included, are done.</summary>
    public async Task StartAsync(
        WanWatcherOptions options,
        ILocalNetworkMonitor? monitor = null,
        IRouterHintSource? hints = null,
        Func<StunTarget, CancellationToken, Task<(Rebound.Sense.Stun.StunServer? Server, string? Error)>>? resolve = null,
        Rebound.Sense.Stun.IStunProber? stunProber = null)
    {
        Watcher = new WanWatcher(options, stunProber ?? Prober, Time, monitor, hints, resolve, spec => Sources.GetOrAdd(spec.Name, _ => new FakeAddressSource(spec, Prober)))
        {
            BeforeWait = delay =>
            {
                NextDelay = delay;
                _idle.Release();
            },
        };
        _run = Task.Run(() => Watcher.RunAsync((e, ct) => _events.Writer.WriteAsync(e, ct), _stop.Token));
        await WaitIdleAsync();
        await SettleAsync(options.Interval);
    }

    /// <summary>Advances fake time to the watcher's next planned round and waits for that round to finish.</summary>
    public async Task NextRoundAsync()
    {
        Time.Advance(NextDelay);
        await WaitIdleAsync();
    }

    /// <summary>Runs rounds until the watcher is back on its routine interval (the burst, if any, is over).</summary>
    public async Task SettleAsync(TimeSpan interval)
    {
        for (var i = 0; i < 20 && NextDelay < interval; i++)
        {
            await NextRoundAsync();
        }
    }

    /// <summary>Runs the next round, then any confirmation burst it starts.</summary>
    public async Task NextRoundAndSettleAsync(TimeSpan interval)
    {
        await NextRoundAsync();
        await SettleAsync(interval);
    }

    public async Task WaitIdleAsync()
    {
        if (!await _idle.WaitAsync(RealTimeout))
        {
            throw new TimeoutException(_run.IsFaulted ? $"watcher died: {_run.Exception}" : "watcher did not go idle");
        }
    }

    public List<WanEvent> TakeEvents()
    {
        var list = new List<WanEvent>();
        while (_events.Reader.TryRead(out var e))
        {
            list.Add(e);
        }

        return list;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _run;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
        _idle.Dispose();
    }
}
