using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using Rebound.Act.Heal;
using Rebound.Record;

namespace Rebound.Tests.Act.Heal;

/// <summary>A heal target whose diagnosis and verification are scripted by the test.</summary>
internal sealed class FakeHealTarget(string name, params FakeHealAction[] ladder) : IHealTarget
{
    private readonly Lock _gate = new();
    private readonly List<HealTrigger> _diagnosed = [];

    public string Name { get; } = name;

    public IReadOnlyList<IHealAction> Ladder { get; } = ladder;

    public TimeSpan VerifyDeadline { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan VerifyInterval { get; set; } = TimeSpan.FromSeconds(1);

    public Func<HealTrigger, bool> WantsTrigger { get; set; } = _ => true;

    public HealCondition Condition { get; set; } = HealCondition.FlowPinned;

    /// <summary>When set, diagnosis waits for it (to hold a heal open).</summary>
    public TaskCompletionSource? DiagnoseGate { get; set; }

    public bool Works { get; set; }

    /// <summary>Checks that fail say the rest is for the next rung (<see cref="HealCheck.NextRung"/>).</summary>
    public bool NextRung { get; set; }

    /// <summary>When set, diagnosis throws it (a target breaking its contract).</summary>
    public Exception? DiagnoseThrows { get; set; }

    public int Checks { get; private set; }

    public IReadOnlyList<HealTrigger> Diagnosed
    {
        get
        {
            lock (_gate)
                return [.. _diagnosed];
        }
    }

    public bool Wants(HealTrigger trigger) => WantsTrigger(trigger);

    public async ValueTask<HealDiagnosis> DiagnoseAsync(HealTrigger trigger, CancellationToken cancellationToken)
    {
        lock (_gate)
            _diagnosed.Add(trigger);
        if (DiagnoseGate is { } gate)
            await gate.Task.WaitAsync(cancellationToken);
        if (DiagnoseThrows is { } ex)
            throw ex;
        // Once an action fixed it, the target diagnoses itself healthy.
        var condition = Works ? HealCondition.Healthy : Condition;
        return new HealDiagnosis(condition, [$"condition {condition.ToName()}", "last handshake 200 s ago"]);
    }

    public ValueTask<HealCheck> VerifyAsync(HealTrigger trigger, CancellationToken cancellationToken)
    {
        Checks++;
        return ValueTask.FromResult(new HealCheck(Works, Works ? "handshake 1 s ago" : "no handshake") { NextRung = NextRung && !Works });
    }
}

/// <summary>A rung that records its runs and can make its target work, fail, or hang. Named by its JSON name.</summary>
internal sealed class FakeHealAction(string name, bool isRestart = false) : IHealAction
{
    private int _running;

    public HealActionKind Kind { get; } = HealHarness.Parse<HealActionKind>(name);

    public bool IsRestart { get; } = isRestart;

    public Func<HealDiagnosis, bool> Applies { get; set; } = _ => true;

    /// <summary>Set on run: the target verifies afterwards.</summary>
    public FakeHealTarget? Fixes { get; set; }

    public string? FailWith { get; set; }

    /// <summary>Throws <see cref="HealActionNotApplicableException"/> with this reason (e.g. nftables missing).</summary>
    public string? NotApplicableWith { get; set; }

    /// <summary>When set, the run waits for it; <see cref="IgnoreCancellation"/> makes it ignore its token.</summary>
    public TaskCompletionSource? Gate { get; set; }

    public bool IgnoreCancellation { get; set; }

    public int Runs { get; private set; }

    public int MaxConcurrent { get; private set; }

    public bool AppliesTo(HealDiagnosis diagnosis) => Applies(diagnosis);

    public async ValueTask<string> RunAsync(HealTrigger trigger, CancellationToken cancellationToken)
    {
        Runs++;
        var now = Interlocked.Increment(ref _running);
        MaxConcurrent = Math.Max(MaxConcurrent, now);
        try
        {
            if (Gate is { } gate)
                await (IgnoreCancellation ? gate.Task : gate.Task.WaitAsync(cancellationToken));
            if (FailWith is { } message)
                throw new HealActionException(message);
            if (NotApplicableWith is { } reason)
                throw new HealActionNotApplicableException(reason);
            if (Fixes is { } target)
                target.Works = true;
            return $"{name} ran";
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }
}

internal sealed class HealHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 26, 4, 0, 0, TimeSpan.Zero);

    private readonly CancellationTokenSource _stop = new();
    private readonly List<HealEvent> _seen = [];
    private Task? _run;

    public HealHarness(HealEngineOptions? options = null, params IHealTarget[] targets)
    {
        Engine = new HealEngine(targets, options ?? new HealEngineOptions { CheckInterval = TimeSpan.FromHours(6) }, Time);
    }

    public FakeTimeProvider Time { get; } = new(Start);

    public HealEngine Engine { get; }

    public Task Run => _run ?? throw new InvalidOperationException("not started");

    public HealHarness Started()
    {
        _run = Engine.RunAsync(_stop.Token);
        return this;
    }

    public static HealTrigger Trigger(DateTimeOffset at, string reason = "public-address-changed") =>
        new(at, Parse<HealReason>(reason), null, System.Net.IPAddress.Parse("198.51.100.7"), null, UpstreamUp: true, null, null);

    /// <summary>The value spelt <paramref name="name"/> in JSON; a name that is not one fails the test.</summary>
    public static T Parse<T>(string name)
        where T : struct, Enum =>
        JsonNames.TryParse<T>(name, out var value) ? value : throw new ArgumentException($"not a {typeof(T).Name}: {name}", nameof(name));

    public void Fire(string reason = "public-address-changed", TimeSpan? detectedAgo = null) =>
        Engine.OnTrigger(Trigger(Time.GetUtcNow() - (detectedAgo ?? TimeSpan.Zero), reason));

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

    public static async Task UntilAsync(Func<bool> condition)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(10))
                throw new TimeoutException("condition not reached");
            await Task.Delay(1, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Moves fake time in steps no larger than <paramref name="step"/>, letting the engine settle after each.</summary>
    public async Task AdvanceAsync(TimeSpan by, TimeSpan? step = null)
    {
        await IdleAsync();
        var left = by;
        var each = step ?? TimeSpan.FromSeconds(1);
        while (left > TimeSpan.Zero)
        {
            var now = left < each ? left : each;
            Time.Advance(now);
            left -= now;
            await IdleAsync();
        }
    }

    public IReadOnlyList<HealEvent> Events()
    {
        while (Engine.Events.TryRead(out var e))
            _seen.Add(e);
        return [.. _seen];
    }

    public IReadOnlyList<T> Events<T>() where T : HealEvent => [.. Events().OfType<T>()];

    /// <summary>"action:result" of every step, in order, as spelt in JSON.</summary>
    public IReadOnlyList<string> Steps(string? target = null) =>
        [.. Events<HealStep>().Where(s => target is null || s.Target == target).Select(s => $"{s.Action.ToName()}:{s.Result.ToName()}")];

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        if (_run is not null)
            await _run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_run is not null)
            await _run.WaitAsync(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }
}
