using System.Net;
using Rebound.Act.Ddns;
using Rebound.Act.Ddns.Providers.Dyndns2;
using Rebound.Configuration;

namespace Rebound.Tests.Act.Ddns.Http;

/// <summary>The dyndns2 presets: their documented update servers, and OVH's extra <c>system=dyndns</c>, against a fake dyndns2 endpoint.</summary>
public sealed class Dyndns2PresetsAgainstFakeTests
{
    [Theory]
    [InlineData("noip", "https://dynupdate.no-ip.com/")]
    [InlineData("dynu", "https://api.dynu.com/")]
    [InlineData("ovh", "https://www.ovh.com/")]
    public void Presets_are_registered_with_their_documented_servers(string name, string url)
    {
        var preset = Assert.IsType<Dyndns2Definition>(DdnsProviders.Find(name));
        Assert.Equal(["username", "password"], preset.Keys.Select(k => k.Name));
        Assert.Contains(url.Replace("https://", "", StringComparison.Ordinal).TrimEnd('/'), preset.Doc, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ovh_sends_system_dyndns_before_hostname_and_myip()
    {
        using var server = new FakeHttpServer(r => r.QueryValue("system") == "dyndns" ? FakeResponse.Text("good 203.0.113.4") : FakeResponse.Text("badsys", 400));
        var settings = new Dyndns2Settings(server.BaseUri, "example.net-home", new Secret("pw", "inline"), "system=dyndns");
        using var provider = new Dyndns2Provider(Dyndns2Definition.Options(settings));

        var result = await provider.UpdateAsync(new DdnsRecordUpdate("home.example.net", IPAddress.Parse("203.0.113.4")), DdnsAssert.Ct);

        Assert.Equal(DdnsOutcome.Updated, result.Outcome);
        var request = Assert.Single(server.Requests);
        Assert.Equal([new("system", "dyndns"), new("hostname", "home.example.net"), new("myip", "203.0.113.4")], request.Query);
    }
}
