using System.Collections.Concurrent;
using System.Net;
using Rebound.Sense.Stun;

namespace Rebound.Tests.Fakes;

/// <summary>A prober whose answers the test sets per server; every call is recorded.</summary>
internal sealed class ScriptedStunProber : IStunProber
{
    private readonly ConcurrentDictionary<string, IPAddress?> _answers = new();
    private readonly ConcurrentDictionary<string, TimeSpan> _rtts = new();
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Null means the server does not answer.</summary>
    public void Answer(string server, string? address) =>
        _answers[server] = address is null ? null : IPAddress.Parse(address);

    public void AnswerAll(string? address, params string[] servers)
    {
        foreach (var s in servers)
        {
            Answer(s, address);
        }
    }

    /// <summary>The path to these servers takes <paramref name="rtt"/>: a question with a shorter timeout times out.</summary>
    public void Rtt(TimeSpan rtt, params string[] servers)
    {
        foreach (var s in servers)
        {
            _rtts[s] = rtt;
        }
    }

    /// <summary>What the script says <paramref name="name"/> answers (null: nothing).</summary>
    public IPAddress? AnswerFor(string name) => _answers.GetValueOrDefault(name);

    /// <summary>Calls per server name.</summary>
    public ConcurrentDictionary<string, int> CallsBy { get; } = new();

    public Task<StunProbeResult> ProbeAsync(StunServer server, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!_rtts.TryGetValue(server.Name, out var rtt))
        {
            return ProbeAsync(server, cancellationToken);
        }

        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Increment(ref _calls);
        CallsBy.AddOrUpdate(server.Name, 1, (_, n) => n + 1);
        var address = _answers.GetValueOrDefault(server.Name);
        return Task.FromResult(address is null || rtt > timeout
            ? new StunProbeResult(server, null, timeout, "timeout after 2 transmissions", 40, 0)
            : new StunProbeResult(server, new IPEndPoint(address, 40000), rtt, null, 20, 32));
    }

    public Task<StunProbeResult> ProbeAsync(StunServer server, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Increment(ref _calls);
        CallsBy.AddOrUpdate(server.Name, 1, (_, n) => n + 1);
        var address = _answers.GetValueOrDefault(server.Name);
        return Task.FromResult(address is null
            ? new StunProbeResult(server, null, TimeSpan.FromSeconds(1), "timeout after 3 transmissions", 60, 0)
            : new StunProbeResult(server, new IPEndPoint(address, 40000), TimeSpan.FromMilliseconds(1), null, 20, 32));
    }
}
