using Rebound.Act.Heal;

namespace Rebound.Tests.Act.Heal;

/// <summary>
/// An action abandoned at shutdown hears its cancellation before the engine reports it and moves on: what the
/// action does on cancellation (kill its child process) must happen before the agent may exit.
/// </summary>
public sealed class HealEngineAbandonTests
{
    [Fact]
    public async Task Shutdown_cancels_an_abandoned_action_before_reporting_it_interrupted()
    {
        var action = new CleanupRecordingAction();
        var target = new OneRungTarget(action);
        var options = new HealEngineOptions { CheckInterval = TimeSpan.FromHours(1), ShutdownGrace = TimeSpan.FromSeconds(5) };
        await using var h = new HealHarness(options, target).Started();
        action.Engine = h.Engine;
        h.Fire();
        await HealHarness.UntilAsync(() => action.Running);

        var stopping = h.StopAsync();
        await Task.Delay(20, TestContext.Current.CancellationToken);
        h.Time.Advance(TimeSpan.FromSeconds(5));
        await stopping;

        // heal-started only: the interrupted step was not out yet when the action was told.
        Assert.Equal(1, action.EventsWhenCancelled);
        Assert.Equal(["restart:interrupted"], h.Steps());
    }

    private sealed class OneRungTarget(IHealAction action) : IHealTarget
    {
        public string Name => "tailscale";

        public IReadOnlyList<IHealAction> Ladder { get; } = [action];

        public TimeSpan VerifyDeadline => TimeSpan.FromSeconds(10);

        public TimeSpan VerifyInterval => TimeSpan.FromSeconds(1);

        public bool Wants(HealTrigger trigger) => true;

        public ValueTask<HealDiagnosis> DiagnoseAsync(HealTrigger trigger, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new HealDiagnosis(HealCondition.Unhealthy, ["stuck"]));

        public ValueTask<HealCheck> VerifyAsync(HealTrigger trigger, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new HealCheck(false, "stuck"));
    }

    /// <summary>Never finishes by itself; on cancellation notes how many events the engine had emitted.</summary>
    private sealed class CleanupRecordingAction : IHealAction
    {
        public HealEngine? Engine { get; set; }

        public volatile bool Running;

        public int EventsWhenCancelled { get; private set; } = -1;

        public HealActionKind Kind => HealActionKind.Restart;

        public bool IsRestart => false;

        public bool AppliesTo(HealDiagnosis diagnosis) => true;

        public async ValueTask<string> RunAsync(HealTrigger trigger, CancellationToken cancellationToken)
        {
            using var cleanup = cancellationToken.Register(() => EventsWhenCancelled = Engine!.Events.Count);
            Running = true;
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return "unreachable";
        }
    }
}
