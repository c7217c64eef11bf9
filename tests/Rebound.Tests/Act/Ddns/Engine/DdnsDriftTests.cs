using System.Net;
using Rebound.Act.Ddns;
using Rebound.Act.Ddns.Engine;
using Rebound.Act.Ddns.Rfc2136;
using Rebound.Tests.Act.Ddns.Rfc2136;
using static Rebound.Tests.Act.Ddns.Engine.EngineHarness;

namespace Rebound.Tests.Act.Ddns.Engine;

/// <summary>A server whose record can be changed behind the agent's back: it serves what it holds, nothing else.</summary>
internal sealed class HoldingServer : IDnsVerifier
{
    private int _queries;

    public volatile IPAddress? Held;

    /// <summary>While set, every question goes unanswered (as an authoritative server behind a dead link).</summary>
    public volatile bool Unreachable;

    public int Queries => Volatile.Read(ref _queries);

    public async Task<bool> ServesAsync(string name, IPAddress address, CancellationToken cancellationToken) =>
        await CheckAsync(name, address, cancellationToken) == DnsServing.Served;

    public Task<DnsServing> CheckAsync(string name, IPAddress address, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _queries);
        if (Unreachable)
            return Task.FromResult(DnsServing.Unknown);
        return Task.FromResult(Held is { } held && held.Equals(address) ? DnsServing.Served : DnsServing.NotServed);
    }

    /// <summary>An updater that writes to this server.</summary>
    public FakeUpdater Updater() => new()
    {
        Respond = updates =>
        {
            Held = updates[^1].Address;
            return DdnsUpdateResult.Updated("good");
        },
    };
}

/// <summary>Trust the server, not the cache: drift is found at start and on the schedule, and corrected at once.</summary>
public sealed class DdnsDriftTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rebound-drift-").FullName;

    private DdnsEngineOptions Options => new() { CachePath = Path.Combine(_directory, "ddns-cache.json"), DriftCheckInterval = TimeSpan.FromMinutes(10) };

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private async Task<HoldingServer> PublishedAsync()
    {
        var server = new HoldingServer();
        await using var h = new EngineHarness([Target(server.Updater()) with { Verifier = server }], Options);
        h.Address(A);
        await h.IdleAsync();
        Assert.Equal(A, server.Held);
        Assert.False(Assert.Single(h.Events<DdnsUpdated>()).Drift);
        return server;
    }

    [Fact]
    public async Task A_record_changed_while_the_agent_was_stopped_is_corrected_at_start()
    {
        var server = await PublishedAsync();
        server.Held = C; // nsupdate behind its back

        var updater = server.Updater();
        await using var h = new EngineHarness([Target(updater) with { Verifier = server }], Options);
        h.Address(A);
        await h.IdleAsync();

        Assert.Equal(A, Assert.Single(Assert.Single(updater.Calls)).Address);
        Assert.Equal(A, server.Held);
        var updated = Assert.Single(h.Events<DdnsUpdated>());
        Assert.True(updated.Drift);
        Assert.True(updated.Verified);
    }

    [Fact]
    public async Task A_server_that_holds_the_cached_address_is_asked_once_and_sent_nothing()
    {
        var server = await PublishedAsync();
        var asked = server.Queries;

        var updater = server.Updater();
        await using var h = new EngineHarness([Target(updater) with { Verifier = server }], Options);
        h.Address(A);
        await h.IdleAsync();
        await h.AdvanceAsync(TimeSpan.FromMinutes(5));

        Assert.Empty(updater.Calls);
        Assert.Equal(asked + 1, server.Queries);
        Assert.Empty(h.Events<DdnsUpdated>());
    }

    /// <param name="driftCheck">The target's drift_check in seconds (0: none, the engine's 10 minutes).</param>
    [Theory]
    [InlineData(0, 540, 120)]
    [InlineData(30, 20, 15)]
    public async Task A_change_while_running_is_found_on_the_schedule(int driftCheck, int before, int after)
    {
        var server = new HoldingServer();
        var updater = server.Updater();
        var target = Target(updater) with { Verifier = server, DriftCheck = driftCheck == 0 ? null : TimeSpan.FromSeconds(driftCheck) };
        await using var h = new EngineHarness([target], Options);
        h.Address(A);
        await h.IdleAsync();
        Assert.Single(updater.Calls);

        server.Held = C;
        await h.AdvanceAsync(TimeSpan.FromSeconds(before));
        Assert.Single(updater.Calls);

        await h.AdvanceAsync(TimeSpan.FromSeconds(after));
        Assert.Equal(2, updater.Calls.Count);
        Assert.Equal(A, server.Held);
        Assert.True(h.Events<DdnsUpdated>()[^1].Drift);
    }

    [Fact]
    public async Task Without_a_verifier_the_cache_is_all_there_is()
    {
        var server = await PublishedAsync();
        server.Held = C;

        var updater = server.Updater();
        await using var h = new EngineHarness([Target(updater)], Options);
        h.Address(A);
        await h.IdleAsync();

        Assert.Empty(updater.Calls);
    }

    [Fact]
    public async Task A_server_answering_SERVFAIL_at_start_is_not_drift()
    {
        await PublishedAsync();

        // The real verifier against a server that answers every question with SERVFAIL: it told nothing.
        await using var dns = new FakeDnsServer(request => [FakeDnsServer.Answer(request, rcode: (int)DnsRcode.ServFail)]);
        var client = new Rfc2136Client(new Rfc2136ClientOptions { Server = dns.EndPoint, Timeout = TimeSpan.FromSeconds(2) });
        var updater = new FakeUpdater();
        await using var h = new EngineHarness([Target(updater) with { Verifier = new AuthoritativeVerifier(client) }], Options);
        h.Address(A);
        await h.IdleAsync();

        Assert.True(dns.UdpRequests > 0);
        Assert.Empty(updater.Calls);
        Assert.Empty(h.Events<DdnsUpdated>());
        var warning = Assert.Single(h.Events<DdnsWarning>());
        Assert.Contains("home.example.com A", warning.Message, StringComparison.Ordinal);
        Assert.Contains("no answer", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_answers_NXDOMAIN_does_not_hold_the_record()
    {
        await PublishedAsync();

        await using var dns = new FakeDnsServer(request => [FakeDnsServer.Answer(request, rcode: (int)DnsRcode.NXDomain)]);
        var client = new Rfc2136Client(new Rfc2136ClientOptions { Server = dns.EndPoint, Timeout = TimeSpan.FromSeconds(2) });
        var updater = new FakeUpdater();
        await using var h = new EngineHarness([Target(updater) with { Verifier = new AuthoritativeVerifier(client) }], Options);
        h.Address(A);
        await h.IdleAsync();

        Assert.Single(updater.Calls);
    }

    [Fact]
    public async Task An_unreachable_server_is_asked_again_on_the_schedule_and_only_then_corrected()
    {
        var server = await PublishedAsync();
        server.Held = C;
        server.Unreachable = true;

        var updater = server.Updater();
        await using var h = new EngineHarness([Target(updater) with { Verifier = server }], Options);
        h.Address(A);
        await h.IdleAsync();
        var asked = server.Queries;
        Assert.Empty(updater.Calls);
        Assert.Contains("asked again in 10m", Assert.Single(h.Events<DdnsWarning>()).Message, StringComparison.Ordinal);

        // Not asked on every pass: a new detection of the same address does not repeat the question.
        server.Unreachable = false;
        h.Engine.OnAddress(Rebound.Decide.IpFamily.Ipv4, A, h.Time.GetUtcNow());
        await h.AdvanceAsync(TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(1));
        Assert.Equal(asked, server.Queries);
        Assert.Empty(updater.Calls);

        await h.AdvanceAsync(TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(1));
        Assert.Equal(A, Assert.Single(Assert.Single(updater.Calls)).Address);
        Assert.Equal(A, server.Held);
        Assert.True(Assert.Single(h.Events<DdnsUpdated>()).Drift);
    }
}
