using System.Net;
using Rebound.Act.Ddns;
using Rebound.Act.Ddns.Engine;
using Rebound.Act.Ddns.Rfc2136;

namespace Rebound.Tests.Act.Ddns.Engine;

public sealed class UpdaterTests
{
    private static readonly IPAddress Address = IPAddress.Parse("192.0.2.7");

    private static Rfc2136Result Result(Rfc2136Status status, DnsRcode? rcode = null) =>
        new(status, $"{status} happened", rcode, null, TimeSpan.Zero);

    [Theory]
    [InlineData(Rfc2136Status.Success, null, DdnsOutcome.Updated)]
    [InlineData(Rfc2136Status.Timeout, null, DdnsOutcome.RetryLater)]
    [InlineData(Rfc2136Status.Unreachable, null, DdnsOutcome.RetryLater)]
    [InlineData(Rfc2136Status.InvalidResponse, null, DdnsOutcome.RetryLater)]
    [InlineData(Rfc2136Status.TsigError, DnsRcode.BadTime, DdnsOutcome.RetryLater)]
    [InlineData(Rfc2136Status.TsigError, DnsRcode.BadSig, DdnsOutcome.Fatal)]
    [InlineData(Rfc2136Status.TsigError, DnsRcode.BadKey, DdnsOutcome.Fatal)]
    [InlineData(Rfc2136Status.TsigError, DnsRcode.NoError, DdnsOutcome.RetryLater)] // response did not verify
    [InlineData(Rfc2136Status.DnsError, DnsRcode.NotAuth, DdnsOutcome.Fatal)]
    [InlineData(Rfc2136Status.DnsError, DnsRcode.NotZone, DdnsOutcome.Fatal)]
    [InlineData(Rfc2136Status.DnsError, DnsRcode.Refused, DdnsOutcome.Fatal)]
    [InlineData(Rfc2136Status.DnsError, DnsRcode.ServFail, DdnsOutcome.RetryLater)]
    public void Rfc2136_statuses_map_to_outcomes(Rfc2136Status status, DnsRcode? rcode, DdnsOutcome expected)
    {
        var mapped = Rfc2136Updater.Map(Result(status, rcode));
        Assert.Equal(expected, mapped.Outcome);
        Assert.Equal($"{status} happened", mapped.Message);
        if (expected == DdnsOutcome.RetryLater)
            Assert.Equal(TimeSpan.FromSeconds(30), mapped.RetryAfter);
    }

    [Fact]
    public async Task Rfc2136_names_outside_the_zone_are_fatal_without_sending()
    {
        var client = new Rfc2136Client(new Rfc2136ClientOptions { Server = new IPEndPoint(IPAddress.Loopback, 9) });
        var updater = new Rfc2136Updater(client, DnsName.Parse("home.example"), 60);
        var result = await updater.UpdateAsync([new DdnsRecordUpdate("gw.elsewhere.example", Address)], TestContext.Current.CancellationToken);
        Assert.Equal(DdnsOutcome.Fatal, result.Outcome);
    }

    [Fact]
    public async Task Http_updater_calls_the_provider_once_per_name()
    {
        var provider = new ScriptedProvider(DdnsUpdateResult.Updated("good"), DdnsUpdateResult.Unchanged("nochg"));
        var result = await new HttpProviderUpdater(provider).UpdateAsync(
            [new DdnsRecordUpdate("a.example.com", Address), new DdnsRecordUpdate("b.example.com", Address)], TestContext.Current.CancellationToken);
        Assert.Equal(["a.example.com", "b.example.com"], provider.Sent.Select(u => u.Hostname));
        Assert.Equal(DdnsOutcome.Updated, result.Outcome);
    }

    [Fact]
    public async Task Http_updater_stops_at_the_first_failure_and_reports_per_record()
    {
        var provider = new ScriptedProvider(DdnsUpdateResult.Updated("good"), DdnsUpdateResult.RetryLater(TimeSpan.FromMinutes(2), "slow down"), DdnsUpdateResult.Updated("good"));
        var results = await new HttpProviderUpdater(provider).UpdateEachAsync(
            [new DdnsRecordUpdate("a.example.com", Address), new DdnsRecordUpdate("b.example.com", Address), new DdnsRecordUpdate("c.example.com", Address)],
            TestContext.Current.CancellationToken);
        Assert.Equal(2, results.Count);
        Assert.Equal(2, provider.Sent.Count);
    }

    [Fact]
    public void Combining_prefers_fatal_then_the_longest_retry_then_updated()
    {
        var updated = DdnsUpdateResult.Updated("good");
        var unchanged = DdnsUpdateResult.Unchanged("nochg");
        var retry1 = DdnsUpdateResult.RetryLater(TimeSpan.FromSeconds(10), "r1");
        var retry2 = DdnsUpdateResult.RetryLater(TimeSpan.FromSeconds(60), "r2");
        var fatal = DdnsUpdateResult.Fatal("badauth");

        Assert.Equal(DdnsOutcome.Fatal, HttpProviderUpdater.Combine([updated, retry1, fatal]).Outcome);
        var retry = HttpProviderUpdater.Combine([retry1, updated, retry2]);
        Assert.Equal(DdnsOutcome.RetryLater, retry.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(60), retry.RetryAfter);
        Assert.Equal(DdnsOutcome.Updated, HttpProviderUpdater.Combine([unchanged, updated]).Outcome);
        Assert.Equal(DdnsOutcome.Unchanged, HttpProviderUpdater.Combine([unchanged, unchanged]).Outcome);
    }

    [Fact]
    public async Task After_a_partial_failure_the_engine_resends_only_the_records_not_accepted()
    {
        var provider = new ScriptedProvider(DdnsUpdateResult.Updated("good"), DdnsUpdateResult.RetryLater(TimeSpan.FromSeconds(60), "slow down"), DdnsUpdateResult.Updated("good"));
        await using var h = new EngineHarness([new DdnsTarget("t1", "dyndns2", ["a.example.com", "b.example.com"], new HttpProviderUpdater(provider))]);
        h.Address(EngineHarness.A);
        await h.AdvanceAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(["a.example.com", "b.example.com", "b.example.com"], provider.Sent.Select(u => u.Hostname));
        Assert.Equal(["b.example.com"], Assert.Single(h.Events<DdnsFailed>()).Names);
        Assert.Equal(2, h.Events<DdnsUpdated>().Count);
    }

    [Fact]
    public void Authoritative_answers_are_checked_for_the_address()
    {
        var name = DnsName.Parse("gw.home.example");
        var response = new DnsMessage
        {
            Header = default,
            Answers = [DnsRecord.ForAddress(name, IPAddress.Parse("192.0.2.1"), 60), DnsRecord.ForAddress(name, Address, 60)],
        };
        var answer = new Rfc2136Result(Rfc2136Status.Success, "ok", DnsRcode.NoError, response, TimeSpan.Zero);
        Assert.True(AuthoritativeVerifier.Serves(answer, DnsRecordType.A, Address));
        Assert.False(AuthoritativeVerifier.Serves(answer, DnsRecordType.A, IPAddress.Parse("192.0.2.99")));
        Assert.False(AuthoritativeVerifier.Serves(answer with { Status = Rfc2136Status.DnsError }, DnsRecordType.A, Address));
        Assert.False(AuthoritativeVerifier.Serves(new Rfc2136Result(Rfc2136Status.Timeout, "t", null, null, TimeSpan.Zero), DnsRecordType.A, Address));
    }

    private sealed class ScriptedProvider(params DdnsUpdateResult[] script) : IDdnsProvider
    {
        private int _next;

        public List<DdnsRecordUpdate> Sent { get; } = [];

        public Task<DdnsUpdateResult> UpdateAsync(DdnsRecordUpdate update, CancellationToken cancellationToken)
        {
            Sent.Add(update);
            return Task.FromResult(script[Math.Min(_next++, script.Length - 1)]);
        }
    }
}
