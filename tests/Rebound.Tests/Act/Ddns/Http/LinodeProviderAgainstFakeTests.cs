using Rebound.Act.Ddns;
using Rebound.Act.Ddns.Providers.Linode;

namespace Rebound.Tests.Act.Ddns.Http;

public sealed class LinodeProviderAgainstFakeTests : RecordApiContract<LinodeProvider>
{
    private const string Token = "linode-PAT-abcdef0123456789";
    private readonly FakeLinodeServer _server = new(Domain, Token);

    private protected override FakeApiServer Server => _server;

    protected override string Secret => Token;

    protected override string Apex => "";

    protected override string RateLimitBody => """{"errors":[{"reason":"Too Many Requests"}]}""";

    protected override LinodeProvider Create(bool goodCredentials, string domain = Domain, int? ttl = null) =>
        new(new LinodeOptions { BaseUri = _server.BaseUri, Domain = domain, Ttl = ttl, Token = goodCredentials ? Token : "linode-wrong" });

    [Fact]
    public async Task A_record_on_a_later_page_is_found_and_the_domain_is_looked_up_once()
    {
        Seed();
        _server.Filler = 1200;

        Assert.Equal(DdnsOutcome.Unchanged, (await UpdateAsync("198.51.100.1")).Outcome);
        Assert.Equal(DdnsOutcome.Updated, (await UpdateAsync("203.0.113.7")).Outcome);

        Assert.Equal(["203.0.113.7"], _server.Held("gw", "A"));
        Assert.Single(_server.Requests, r => r.Path == "/v4/domains");
        Assert.Contains(_server.Requests, r => r.QueryValue("page") == "3");
        Assert.DoesNotContain(_server.Requests, r => r.Method == "POST");
    }

    [Fact]
    public async Task A_rejected_field_is_fatal_and_names_it()
    {
        Seed();
        _server.Script(FakeResponse.Json("""{"data":[{"id":4242,"domain":"example.net"}],"pages":1}"""));
        _server.Script(FakeResponse.Json("""{"data":[{"id":1,"type":"A","name":"gw","target":"198.51.100.1","ttl_sec":600}],"pages":1}"""));
        _server.Script(FakeResponse.Json("""{"errors":[{"field":"target","reason":"Invalid IPv4 address"}]}""", 400));

        var result = await UpdateAsync("203.0.113.7");

        Assert.Equal(DdnsOutcome.Fatal, result.Outcome);
        Assert.Contains("target: Invalid IPv4 address", result.Message, StringComparison.Ordinal);
    }
}
