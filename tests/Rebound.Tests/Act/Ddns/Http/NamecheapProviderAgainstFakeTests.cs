using System.Net;
using Rebound.Act.Ddns;
using Rebound.Act.Ddns.Providers.Namecheap;

namespace Rebound.Tests.Act.Ddns.Http;

public sealed class NamecheapProviderAgainstFakeTests : IDisposable
{
    private const string Password = "nc-DDNS-pass&word=42";
    private readonly FakeNamecheapServer _server = new("example.net", Password);
    private readonly NamecheapProvider _provider;

    public NamecheapProviderAgainstFakeTests()
    {
        _server.Hosts["gw"] = "198.51.100.1";
        _server.Hosts["@"] = "198.51.100.1";
        _server.Hosts["other"] = "192.0.2.9";
        _provider = Create(Password);
    }

    private NamecheapProvider Create(string password, string domain = "example.net") =>
        new(new NamecheapOptions { BaseUri = _server.BaseUri, Domain = domain, Password = password });

    private async Task<DdnsUpdateResult> UpdateAsync(string address, string host = "gw.example.net", NamecheapProvider? provider = null)
    {
        var result = await (provider ?? _provider).UpdateAsync(new DdnsRecordUpdate(host, IPAddress.Parse(address)), DdnsAssert.Ct);
        DdnsAssert.OneLine(result);
        DdnsAssert.NoSecret(Password, result);
        return result;
    }

    [Fact]
    public async Task Updates_the_host_and_the_apex_with_the_password_url_encoded()
    {
        Assert.Equal(DdnsOutcome.Updated, (await UpdateAsync("203.0.113.7")).Outcome);
        Assert.Equal(DdnsOutcome.Updated, (await UpdateAsync("203.0.113.8", "example.net")).Outcome);

        Assert.Equal("203.0.113.7", _server.Hosts["gw"]);
        Assert.Equal("203.0.113.8", _server.Hosts["@"]);
        Assert.Equal("192.0.2.9", _server.Hosts["other"]);
        Assert.Equal(Password, _server.Requests[0].QueryValue("password"));
    }

    [Fact]
    public async Task A_wrong_password_is_fatal_in_a_200_and_never_quoted()
    {
        using var wrong = Create("not-the-password");
        var result = await UpdateAsync("203.0.113.7", provider: wrong);

        Assert.Equal(DdnsOutcome.Fatal, result.Outcome);
        Assert.Contains("Passwords do not match", result.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password", result.Message, StringComparison.Ordinal);
        Assert.Equal("198.51.100.1", _server.Hosts["gw"]);
    }

    [Fact]
    public async Task A_host_without_an_a_record_and_an_unknown_domain_are_fatal()
    {
        var missing = await UpdateAsync("203.0.113.7", "new.example.net");
        Assert.Equal(DdnsOutcome.Fatal, missing.Outcome);
        Assert.Contains("A record not Found", missing.Message, StringComparison.Ordinal);

        using var other = Create(Password, "example.org");
        var unknown = await UpdateAsync("203.0.113.7", "gw.example.org", other);
        Assert.Equal(DdnsOutcome.Fatal, unknown.Outcome);
        Assert.Contains("Domain name not found", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ipv6_and_names_outside_the_domain_are_refused_before_sending()
    {
        Assert.Equal(DdnsOutcome.Fatal, (await UpdateAsync("2001:db8::1")).Outcome);
        Assert.Equal(DdnsOutcome.Fatal, (await UpdateAsync("203.0.113.7", "gw.example.com")).Outcome);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task An_answer_that_is_not_its_xml_retries_rather_than_counting_as_success()
    {
        using var broken = new FakeHttpServer(_ => new FakeResponse(200, "<html>maintenance</html", "text/html"));
        using var provider = new NamecheapProvider(new NamecheapOptions { BaseUri = broken.BaseUri, Domain = "example.net", Password = Password });

        var result = await UpdateAsync("203.0.113.7", provider: provider);

        Assert.Equal(DdnsOutcome.RetryLater, result.Outcome);
    }

    public void Dispose()
    {
        _provider.Dispose();
        _server.Dispose();
    }
}
