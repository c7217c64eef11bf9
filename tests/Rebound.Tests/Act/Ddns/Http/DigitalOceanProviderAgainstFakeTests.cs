using Rebound.Act.Ddns;
using Rebound.Act.Ddns.Providers.DigitalOcean;

namespace Rebound.Tests.Act.Ddns.Http;

public sealed class DigitalOceanProviderAgainstFakeTests : RecordApiContract<DigitalOceanProvider>
{
    private const string Token = "dop_v1_0123456789abcdef";
    private readonly FakeDigitalOceanServer _server = new(Domain, Token);

    private protected override FakeApiServer Server => _server;

    protected override string Secret => Token;

    protected override string RateLimitBody => """{"id":"too_many_requests","message":"API Rate limit exceeded."}""";

    protected override DigitalOceanProvider Create(bool goodCredentials, string domain = Domain, int? ttl = null) =>
        new(new DigitalOceanOptions { BaseUri = _server.BaseUri, Domain = domain, Ttl = ttl, Token = goodCredentials ? Token : "dop_v1_wrong" });

    [Fact]
    public async Task The_records_are_asked_by_type_and_full_name_and_a_422_is_fatal_with_its_message()
    {
        Seed();
        _server.Script(FakeResponse.Json("""{"domain_records":[{"id":7,"type":"A","name":"gw","data":"198.51.100.1","ttl":600}],"meta":{"total":1}}"""));
        _server.Script(FakeResponse.Json("""{"id":"unprocessable_entity","message":"Data needs to be a valid address"}""", 422));

        var result = await UpdateAsync("203.0.113.7");

        Assert.Equal(DdnsOutcome.Fatal, result.Outcome);
        Assert.Contains("unprocessable_entity Data needs to be a valid address", result.Message, StringComparison.Ordinal);
        var read = _server.Requests[0];
        Assert.Equal("A", read.QueryValue("type"));
        Assert.Equal("gw.example.net", read.QueryValue("name"));
    }

    [Fact]
    public async Task Two_records_of_the_name_are_refused_rather_than_guessed()
    {
        _server.Script(FakeResponse.Json("""{"domain_records":[{"id":7,"type":"A","name":"gw","data":"198.51.100.1"},{"id":8,"type":"A","name":"gw","data":"198.51.100.2"}]}"""));

        var result = await UpdateAsync("203.0.113.7");

        Assert.Equal(DdnsOutcome.Fatal, result.Outcome);
        Assert.Contains("refusing to guess", result.Message, StringComparison.Ordinal);
        Assert.Single(_server.Requests);
    }
}
