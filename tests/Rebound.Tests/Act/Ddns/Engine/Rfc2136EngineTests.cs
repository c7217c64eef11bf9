using System.Collections.Concurrent;
using System.Net;
using Rebound.Act.Ddns.Engine;
using Rebound.Act.Ddns.Rfc2136;
using Rebound.Decide;
using Rebound.Tests.Act.Ddns.Rfc2136;

namespace Rebound.Tests.Act.Ddns.Engine;

/// <summary>The engine with the real RFC 2136 client against a loopback authoritative server (real time).</summary>
public sealed class Rfc2136EngineTests
{
    private static readonly DnsName Zone = DnsName.Parse("home.test");

    /// <summary>Applies UPDATEs to its records and answers QUERYs from them, <see cref="Lag"/> queries late.</summary>
    private sealed class Authoritative
    {
        private readonly ConcurrentDictionary<(string, DnsRecordType), IPAddress> _records = new();
        private readonly ConcurrentDictionary<(string, DnsRecordType), int> _queriesSinceUpdate = new();

        public int Lag { get; init; }

        public int Updates;

        public IEnumerable<byte[]> Respond(FakeDnsServer.Request request)
        {
            if (request.Message.Header.Opcode == DnsOpcode.Update)
            {
                Interlocked.Increment(ref Updates);
                foreach (var record in request.Message.Authorities.Where(r => r.Class == DnsClass.IN && r.Address is not null))
                {
                    var key = (record.Name.ToString().ToLowerInvariant(), record.Type);
                    _records[key] = record.Address!;
                    _queriesSinceUpdate[key] = 0;
                }

                return [FakeDnsServer.Answer(request)];
            }

            var question = request.Message.Questions[0];
            var asked = (question.Name.ToString().ToLowerInvariant(), question.Type);
            int seen = _queriesSinceUpdate.AddOrUpdate(asked, 1, (_, n) => n + 1);
            List<DnsRecord> answers = _records.TryGetValue(asked, out var address) && seen > Lag
                ? [DnsRecord.ForAddress(question.Name, address, 60)]
                : [];
            return [DnsMessageBuilder.Build(new DnsMessage
            {
                Header = new DnsHeader(request.Id, 0x8400, 0, 0, 0, 0),
                Questions = [question],
                Answers = answers,
            })];
        }
    }

    [Fact]
    public async Task An_update_is_sent_in_one_message_and_verified_at_the_authoritative_server()
    {
        var authoritative = new Authoritative { Lag = 2 };
        await using var server = new FakeDnsServer(authoritative.Respond);
        var client = new Rfc2136Client(new Rfc2136ClientOptions { Server = server.EndPoint, Timeout = TimeSpan.FromSeconds(2) });
        var target = new DdnsTarget("lab", "rfc2136", ["gw.home.test", "vpn.home.test"], new Rfc2136Updater(client, Zone, 60))
        {
            Verifier = new AuthoritativeVerifier(client),
        };
        var engine = new DdnsEngine([target], new DdnsEngineOptions { VerifyInterval = TimeSpan.FromMilliseconds(20) });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var run = engine.RunAsync(stop.Token);

        var detectedAt = DateTimeOffset.UtcNow;
        engine.OnAddress(IpFamily.Ipv4, IPAddress.Parse("192.0.2.44"), detectedAt);
        DdnsEvent first;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop.Token))
        {
            timeout.CancelAfter(TimeSpan.FromSeconds(20));
            first = await engine.Events.ReadAsync(timeout.Token);
        }

        var updated = Assert.IsType<DdnsUpdated>(first);
        Assert.True(updated.Verified);
        Assert.Equal(["gw.home.test", "vpn.home.test"], updated.Names);
        Assert.Equal(IPAddress.Parse("192.0.2.44"), updated.Address);
        Assert.InRange(updated.ElapsedMs, 40, 20_000); // at least the two lagging polls
        Assert.Equal(1, authoritative.Updates);

        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task A_refused_update_stops_the_target()
    {
        await using var server = new FakeDnsServer(r => [FakeDnsServer.Answer(r, rcode: (int)DnsRcode.Refused)]);
        var client = new Rfc2136Client(new Rfc2136ClientOptions { Server = server.EndPoint, Timeout = TimeSpan.FromSeconds(2) });
        var engine = new DdnsEngine([new DdnsTarget("lab", "rfc2136", ["gw.home.test"], new Rfc2136Updater(client, Zone, 60))]);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var run = engine.RunAsync(stop.Token);
        engine.OnAddress(IpFamily.Ipv4, IPAddress.Parse("192.0.2.44"), DateTimeOffset.UtcNow);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        var failed = Assert.IsType<DdnsFailed>(await engine.Events.ReadAsync(timeout.Token));
        Assert.True(failed.Fatal);
        Assert.Contains("REFUSED", failed.Error, StringComparison.OrdinalIgnoreCase);
        await stop.CancelAsync();
        await run;
    }
}
