using System.Net;
using Rebound.Act.Ddns;
using Rebound.Act.Ddns.Engine;

namespace Rebound.Tests.Act.Ddns.Http;

/// <summary>
/// What every provider whose API reads records must do against its fake: write only the one record, not rewrite an
/// address it holds, create a missing one, see (as the verifier) and correct a record changed behind its back, refuse
/// wrong credentials in one line without them, wait out a 429, and send nothing for a name outside its domain.
/// Each derived class runs all of these against its own fake.
/// </summary>
public abstract class RecordApiContract<TProvider> : IDisposable
    where TProvider : class, IDdnsProvider, IDnsVerifier, IDisposable
{
    protected const string Domain = "example.net";
    private TProvider? _provider;

    private protected abstract FakeApiServer Server { get; }

    /// <summary>The credential that must never appear in a message.</summary>
    protected abstract string Secret { get; }

    /// <summary>The fake's name of the apex.</summary>
    protected virtual string Apex => "@";

    /// <summary>A 429 body as the API writes it.</summary>
    protected abstract string RateLimitBody { get; }

    protected virtual bool KeepsTtl => true;

    /// <summary>False where the API refuses an edit that keeps the content: a new TTL then waits for a new address.</summary>
    protected virtual bool RewritesForTtl => true;

    protected TProvider Provider => _provider ??= Create(goodCredentials: true);

    protected abstract TProvider Create(bool goodCredentials, string domain = Domain, int? ttl = null);

    private protected virtual bool IsWrite(RecordedRequest request) => request.Method is "PUT" or "POST" or "PATCH";

    protected void Seed()
    {
        Server.Set("gw", "A", "198.51.100.1");
        Server.Set("other", "A", "192.0.2.9");
        Server.Set("gw", "AAAA", "2001:db8::1");
    }

    protected async Task<DdnsUpdateResult> UpdateAsync(string address, string host = "gw.example.net", TProvider? provider = null)
    {
        var result = await (provider ?? Provider).UpdateAsync(new DdnsRecordUpdate(host, IPAddress.Parse(address)), DdnsAssert.Ct);
        DdnsAssert.OneLine(result);
        DdnsAssert.NoSecret(Secret, result);
        return result;
    }

    [Fact]
    public async Task Writes_only_the_one_record_and_keeps_its_ttl()
    {
        Seed();
        var result = await UpdateAsync("203.0.113.7");

        Assert.Equal(DdnsOutcome.Updated, result.Outcome);
        Assert.Equal(["203.0.113.7"], Server.Held("gw", "A"));
        Assert.Equal(["192.0.2.9"], Server.Held("other", "A"));
        Assert.Equal(["2001:db8::1"], Server.Held("gw", "AAAA"));
        if (KeepsTtl)
            Assert.Equal(600, Server.Records[("gw", "A")].Ttl);
    }

    [Fact]
    public async Task The_entrys_ttl_is_written_and_a_record_holding_another_is_rewritten()
    {
        if (!KeepsTtl)
            Assert.Skip("its update carries no TTL");
        Seed();
        using var hour = Create(goodCredentials: true, ttl: 3600);
        Assert.Equal(DdnsOutcome.Updated, (await UpdateAsync("203.0.113.7", provider: hour)).Outcome);
        Assert.Equal(DdnsOutcome.Updated, (await UpdateAsync("2001:db8::7", "new.example.net", hour)).Outcome);
        Assert.Equal(3600, Server.Records[("gw", "A")].Ttl);
        Assert.Equal(3600, Server.Records[("new", "AAAA")].Ttl);
        Assert.Equal(DdnsOutcome.Unchanged, (await UpdateAsync("203.0.113.7", provider: hour)).Outcome);

        // The same address under another ttl is not current: it is written again with the new one.
        using var twoHours = Create(goodCredentials: true, ttl: 7200);
        Assert.Equal(RewritesForTtl ? DdnsOutcome.Updated : DdnsOutcome.Unchanged, (await UpdateAsync("203.0.113.7", provider: twoHours)).Outcome);
        Assert.Equal(RewritesForTtl ? 7200 : 3600, Server.Records[("gw", "A")].Ttl);
        Assert.Equal(["203.0.113.7"], Server.Held("gw", "A"));
        Assert.Equal(["192.0.2.9"], Server.Held("other", "A"));
    }

    [Fact]
    public async Task An_address_it_already_holds_is_not_written_again()
    {
        Seed();
        var result = await UpdateAsync("198.51.100.1");

        Assert.Equal(DdnsOutcome.Unchanged, result.Outcome);
        Assert.DoesNotContain(Server.Requests, IsWrite);
    }

    [Fact]
    public async Task A_missing_record_is_created_and_the_apex_is_where_the_api_keeps_it()
    {
        Seed();
        Assert.Equal(DdnsOutcome.Updated, (await UpdateAsync("2001:db8::7", "new.example.net")).Outcome);
        Assert.Equal(DdnsOutcome.Updated, (await UpdateAsync("203.0.113.8", "example.net")).Outcome);

        Assert.Equal(["2001:db8::7"], Server.Held("new", "AAAA"));
        Assert.Equal(["203.0.113.8"], Server.Held(Apex, "A"));
        Assert.Equal(["198.51.100.1"], Server.Held("gw", "A"));
    }

    [Fact]
    public async Task A_record_changed_behind_its_back_is_seen_by_the_verifier_and_corrected()
    {
        Seed();
        Assert.Equal(DdnsOutcome.Updated, (await UpdateAsync("203.0.113.7")).Outcome);
        Assert.True(await Provider.ServesAsync("gw.example.net", IPAddress.Parse("203.0.113.7"), DdnsAssert.Ct));

        Server.Set("gw", "A", "192.0.2.66");
        Assert.False(await Provider.ServesAsync("gw.example.net", IPAddress.Parse("203.0.113.7"), DdnsAssert.Ct));
        var corrected = await UpdateAsync("203.0.113.7");

        Assert.Equal(DdnsOutcome.Updated, corrected.Outcome);
        Assert.Contains("192.0.2.66", corrected.Message, StringComparison.Ordinal);
        Assert.True(await Provider.ServesAsync("gw.example.net", IPAddress.Parse("203.0.113.7"), DdnsAssert.Ct));
    }

    [Fact]
    public async Task Wrong_credentials_are_fatal_in_one_line_without_them()
    {
        Seed();
        using var wrong = Create(goodCredentials: false);
        var result = await UpdateAsync("203.0.113.7", provider: wrong);

        Assert.Equal(DdnsOutcome.Fatal, result.Outcome);
        Assert.Contains("refused", result.Message, StringComparison.Ordinal);
        Assert.False(await wrong.ServesAsync("gw.example.net", IPAddress.Parse("198.51.100.1"), DdnsAssert.Ct));
        Assert.Equal(["198.51.100.1"], Server.Held("gw", "A"));
    }

    [Fact]
    public async Task An_unknown_domain_is_fatal()
    {
        Seed();
        using var other = Create(goodCredentials: true, domain: "example.org");
        var result = await UpdateAsync("203.0.113.7", "gw.example.org", other);

        Assert.Equal(DdnsOutcome.Fatal, result.Outcome);
    }

    [Fact]
    public async Task A_rate_limit_waits_what_the_api_says_and_an_outage_retries()
    {
        Seed();
        Server.Script(FakeApiServer.RateLimited(RateLimitBody, 30));
        var limited = await UpdateAsync("203.0.113.7");
        Assert.Equal(DdnsOutcome.RetryLater, limited.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(30), limited.RetryAfter);
        Assert.Contains("rate limited", limited.Message, StringComparison.Ordinal);

        Server.Script(FakeResponse.Text("<html>502 Bad Gateway</html>", 502));
        var down = await UpdateAsync("203.0.113.7");
        Assert.Equal(DdnsOutcome.RetryLater, down.Outcome);

        Assert.DoesNotContain(Server.Requests, IsWrite);
        Assert.Equal(["198.51.100.1"], Server.Held("gw", "A"));
    }

    [Fact]
    public async Task A_name_outside_the_domain_is_refused_before_sending()
    {
        var result = await UpdateAsync("203.0.113.7", "gw.example.com");

        Assert.Equal(DdnsOutcome.Fatal, result.Outcome);
        Assert.Empty(Server.Requests);
    }

    public void Dispose()
    {
        _provider?.Dispose();
        Server.Dispose();
        GC.SuppressFinalize(this);
    }
}
