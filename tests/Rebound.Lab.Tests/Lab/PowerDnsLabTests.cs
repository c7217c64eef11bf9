using System.Net;
using System.Text;
using Rebound.Lab.Tests.Harness;

namespace Rebound.Lab.Tests.Lab;

/// <summary>
/// PowerDNS in the lab: a DNS whoami (LUA records) that follows failover, and the HTTP API a DDNS provider
/// uses: a record created with the key is served at once, other records stay, a wrong key changes nothing.
/// </summary>
public sealed class PowerDnsLabTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Whoami_follows_failover_and_the_api_creates_records()
    {
        await using var lab = await FailoverLab.StartAsync(LabMode.Renumber, Ct);
        var pdns = await lab.StartPowerDnsAsync(Ct);
        Assert.Equal(FailoverLab.Wan1Address, await lab.DigFromLanAsync(pdns.DnsAddress, pdns.WhoamiName, "A", Ct));
        Assert.Equal($"\"{FailoverLab.Wan1Address}\"", await lab.DigFromLanAsync(pdns.DnsAddress, pdns.WhoamiName, "TXT", Ct));
        Assert.Equal("", await lab.DigFromLanAsync(pdns.DnsAddress, pdns.WhoamiName, "AAAA", Ct)); // an IPv4 client

        await lab.FailoverAsync(Ct);
        Assert.Equal(FailoverLab.Wan1Renumbered, await lab.DigFromLanAsync(pdns.DnsAddress, pdns.WhoamiName, "A", Ct));

        // The API, from the LAN host as an agent would call it.
        using var http = LabHttp.Client(lab, "lan");
        var zone = new Uri(pdns.ApiUrl, $"/api/v1/servers/{pdns.ServerId}/zones/{pdns.Zone}.");
        const string body = """{"rrsets":[{"name":"gw.pdns.test.","type":"A","ttl":60,"changetype":"REPLACE","records":[{"content":"198.51.100.3","disabled":false}]}]}""";

        using (var wrong = Patch(zone, body, "not-the-key"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(wrong, Ct)).StatusCode);
        }

        Assert.Equal(FailoverLab.Wan1Address, await lab.DigFromLanAsync(pdns.DnsAddress, "gw.pdns.test", "A", Ct));

        using (var right = Patch(zone, body, pdns.ApiKey))
        {
            Assert.Equal(HttpStatusCode.NoContent, (await http.SendAsync(right, Ct)).StatusCode);
        }

        Assert.Equal(FailoverLab.Wan1Renumbered, await lab.DigFromLanAsync(pdns.DnsAddress, "gw.pdns.test", "A", Ct));
        Assert.Equal("203.0.113.80", await lab.DigFromLanAsync(pdns.DnsAddress, "www.pdns.test", "A", Ct));
    }

    private static HttpRequestMessage Patch(Uri zone, string json, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, zone) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-API-Key", key);
        return request;
    }
}
