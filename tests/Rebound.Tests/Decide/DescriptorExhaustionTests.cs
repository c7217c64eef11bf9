using System.Net;
using System.Net.Sockets;
using Rebound.Decide;
using Rebound.Sense.Stun;
using static Rebound.Tests.Decide.WatcherHarness;

namespace Rebound.Tests.Decide;

/// <summary>
/// A local user holding every descriptor of the agent makes its probes fail before they are sent (EMFILE).
/// That is this host's shortage, not the upstream's: it must never become an upstream-lost (issue 16).
/// </summary>
public sealed class DescriptorExhaustionTests
{
    private static readonly StunServer Server = new(S1, new IPEndPoint(IPAddress.Parse("203.0.113.10"), 3478));

    /// <summary>A socket factory that fails as socket(2) does for a process at its descriptor limit.</summary>
    private static StunProber ProberWhoseSocketsFail(SocketError error, Action? onCreate = null) => new(new StunProberOptions
    {
        CreateSocket = _ =>
        {
            onCreate?.Invoke();
            throw new SocketException((int)error);
        },
    });

    [Fact]
    public async Task A_probe_without_a_descriptor_is_a_local_failure_and_nothing_is_sent()
    {
        var made = 0;
        var result = await ProberWhoseSocketsFail(SocketError.TooManyOpenSockets, () => made++).ProbeAsync(Server, TestContext.Current.CancellationToken);

        Assert.Equal(1, made);
        Assert.False(result.Succeeded);
        Assert.True(result.LocalFailure);
        Assert.Equal(0, result.Transmissions);
        Assert.Equal(0, result.BytesSent);
        Assert.Contains("descriptor", result.Error, StringComparison.Ordinal);

        // Any other socket error is about the path, as before.
        var unreachable = await ProberWhoseSocketsFail(SocketError.NetworkUnreachable).ProbeAsync(Server, TestContext.Current.CancellationToken);
        Assert.False(unreachable.LocalFailure);
    }

    [Fact]
    public async Task Rounds_whose_probes_all_lack_descriptors_move_no_WAN_state_while_silence_still_does()
    {
        await using var h = new WatcherHarness();
        h.Prober.AnswerAll("198.51.100.2", S1, S2);
        var exhausted = new SwitchingProber(h.Prober, ProberWhoseSocketsFail(SocketError.TooManyOpenSockets));
        await h.StartAsync(Options(S1, S2), stunProber: exhausted);
        h.TakeEvents();

        exhausted.Failing = true;
        for (var i = 0; i < 6; i++)
        {
            await h.NextRoundAsync();
        }

        Assert.Empty(h.TakeEvents());
        Assert.True(exhausted.LocalFailures >= 6);

        exhausted.Failing = false;
        await h.NextRoundAndSettleAsync(TimeSpan.FromSeconds(1));
        Assert.Empty(h.TakeEvents()); // nothing to restore either

        // The same rounds with the servers really silent: lost, as before.
        h.Prober.AnswerAll(null, S1, S2);
        await h.NextRoundAndSettleAsync(TimeSpan.FromSeconds(1));
        Assert.IsType<UpstreamLost>(Assert.Single(h.TakeEvents()));
    }

    /// <summary>The scripted prober, or (while <see cref="Failing"/>) a real one whose sockets cannot be made.</summary>
    private sealed class SwitchingProber(IStunProber scripted, StunProber exhausted) : IStunProber
    {
        private int _localFailures;
        private volatile bool _failing;

        public bool Failing
        {
            get => _failing;
            set => _failing = value;
        }

        public int LocalFailures => Volatile.Read(ref _localFailures);

        public Task<StunProbeResult> ProbeAsync(StunServer server, CancellationToken cancellationToken) =>
            ProbeAsync(server, TimeSpan.FromSeconds(1), cancellationToken);

        public async Task<StunProbeResult> ProbeAsync(StunServer server, TimeSpan timeout, CancellationToken cancellationToken)
        {
            if (!Failing)
                return await scripted.ProbeAsync(server, timeout, cancellationToken);
            var result = await exhausted.ProbeAsync(server, timeout, cancellationToken);
            if (result.LocalFailure)
                Interlocked.Increment(ref _localFailures);
            return result;
        }
    }
}
