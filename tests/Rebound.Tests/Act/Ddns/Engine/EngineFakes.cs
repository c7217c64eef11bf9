using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Time.Testing;
using Rebound.Act.Ddns;
using Rebound.Act.Ddns.Engine;
using Rebound.Decide;

namespace Rebound.Tests.Act.Ddns.Engine;

/// <summary>Records every batch; answers with <see cref="Respond"/>; can be held open with <see cref="Hold"/>.</summary>
internal sealed class FakeUpdater : IDdnsUpdater
{
    private readonly Lock _gate = new();
    private readonly List<IReadOnlyList<DdnsRecordUpdate>> _calls = [];

    public Func<IReadOnlyList<DdnsRecordUpdate>, DdnsUpdateResult> Respond { get; set; } = _ => DdnsUpdateResult.Updated("good");

    /// <summary>When set, calls wait for it before answering.</summary>
    public TaskCompletionSource? Hold { get; set; }

    public IReadOnlyList<IReadOnlyList<DdnsRecordUpdate>> Calls
    {
        get
        {
            lock (_gate)
                return [.. _calls];
        }
    }

    public async Task<DdnsUpdateResult> UpdateAsync(IReadOnlyList<DdnsRecordUpdate> updates, CancellationToken cancellationToken)
    {
        lock (_gate)
            _calls.Add([.. updates]);
        if (Hold is { } hold)
            await hold.Task.WaitAsync(cancellationToken);
        return Respond(updates);
    }
}

/// <summary>Serves an address once (fake) time reaches <see cref="ServedFrom"/>.</summary>
internal sealed class FakeVerifier(TimeProvider time) : IDnsVerifier
{
    private int _queries;

    public DateTimeOffset ServedFrom { get; set; } = DateTimeOffset.MaxValue;

    public int Queries => Volatile.Read(ref _queries);

    public Task<bool> ServesAsync(string name, IPAddress address, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _queries);
        return Task.FromResult(time.GetUtcNow() >= ServedFrom);
    }
}

/// <summary>An engine running on fake time, with helpers that wait (in real time, bounded) for it to settle.</summary>
internal sealed class EngineHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 26, 6, 0, 0, TimeSpan.Zero);
    public static readonly IPAddress A = IPAddress.Parse("192.0.2.1");
    public static readonly IPAddress B = IPAddress.Parse("198.51.100.2");
    public static readonly IPAddress C = IPAddress.Parse("203.0.113.3");
    public static readonly IPAddress V6 = IPAddress.Parse("2001:db8::1");

    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;
    private readonly List<DdnsEvent> _seen = [];

    public EngineHarness(IReadOnlyList<DdnsTarget> targets, DdnsEngineOptions? options = null, FakeTimeProvider? time = null)
    {
        Time = time ?? new FakeTimeProvider(Start);
        Engine = new DdnsEngine(targets, options, Time);
        _run = Engine.RunAsync(_stop.Token);
    }

    public FakeTimeProvider Time { get; }

    public DdnsEngine Engine { get; }

    public static DdnsTarget Target(IDdnsUpdater updater, string id = "t1", params string[] names) =>
        new(id, "fake", names.Length == 0 ? ["home.example.com"] : names, updater);

    public void Address(IPAddress address) => Engine.OnAddress(IpFamilyNames.Of(address), address, Time.GetUtcNow());

    public async Task IdleAsync()
    {
        var watch = Stopwatch.StartNew();
        while (!Engine.IsIdle)
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(10))
                throw new TimeoutException("engine did not settle");
            await Task.Delay(1, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Moves fake time in steps no larger than <paramref name="step"/>, letting the engine settle after each.</summary>
    public async Task AdvanceAsync(TimeSpan by, TimeSpan? step = null)
    {
        await IdleAsync();
        var left = by;
        var each = step ?? by;
        while (left > TimeSpan.Zero)
        {
            var now = left < each ? left : each;
            Time.Advance(now);
            left -= now;
            await IdleAsync();
        }
    }

    /// <summary>Events emitted so far (drains the channel).</summary>
    public IReadOnlyList<DdnsEvent> Events()
    {
        while (Engine.Events.TryRead(out var e))
            _seen.Add(e);
        return [.. _seen];
    }

    public IReadOnlyList<T> Events<T>() where T : DdnsEvent => [.. Events().OfType<T>()];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _run.WaitAsync(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }
}
