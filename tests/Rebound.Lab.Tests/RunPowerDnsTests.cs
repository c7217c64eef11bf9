using System.Net;
using System.Text;
using System.Text.Json;
using Rebound.Lab.Tests.Harness;

namespace Rebound.Lab.Tests;

/// <summary>
/// `rebound run` with provider = "powerdns" against the real PowerDNS Authoritative in the lab (sqlite backend, its
/// HTTP API): gw.pdns.test follows a failover and the failback under the entry's ttl, checked over the API and by DNS
/// at the server, and every other rrset of the zone (another type of the same name too) keeps its content and TTL.
/// </summary>
public sealed class RunPowerDnsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_record_follows_failover_and_failback_and_the_rest_of_the_zone_is_untouched()
    {
        await using var lab = await FailoverLab.StartAsync(LabMode.Masquerade, Ct);
        var pdns = await lab.StartPowerDnsAsync(Ct);
        using var http = LabHttp.Client(lab, "lan");

        // Neighbours with TTLs of their own: another type on the same name, and another name.
        using (var add = Request(HttpMethod.Patch, pdns))
        {
            add.Content = new StringContent(
                """{"rrsets":[{"name":"gw.pdns.test.","type":"TXT","ttl":3600,"changetype":"REPLACE","records":[{"content":"\"gateway\"","disabled":false}]},{"name":"mail.pdns.test.","type":"A","ttl":1234,"changetype":"REPLACE","records":[{"content":"192.0.2.25","disabled":false}]}]}""",
                Encoding.UTF8, "application/json");
            using var added = await http.SendAsync(add, Ct);
            Assert.Equal(HttpStatusCode.NoContent, added.StatusCode);
        }

        var before = await ZoneAsync(http, pdns);
        Assert.Contains("www.pdns.test. A 60 203.0.113.80", before.Others);
        Assert.Contains("gw.pdns.test. TXT 3600 \"gateway\"", before.Others);
        Assert.Contains("mail.pdns.test. A 1234 192.0.2.25", before.Others);

        var dir = Directory.CreateTempSubdirectory("rebound-pdns-");
        try
        {
            var config = Path.Combine(dir.FullName, "rebound.toml");
            await File.WriteAllTextAsync(config, FailoverLab.WatchConfig($"{dir.FullName}/state") + $"""
                [[ddns]]
                provider = "powerdns"
                url = "{pdns.ApiUrl}"
                api_key_file = "{pdns.ApiKeyFile}"
                zone = "{pdns.Zone}"
                names = ["gw.{pdns.Zone}"]
                families = ["ipv4"]
                ttl = 120
                """, Ct);

            await using var rebound = ReboundProcess.StartInLan(lab, ["run", "--config", config, "--json"]);
            await rebound.NextEventAsync(TimeSpan.FromSeconds(20), "started", Ct);
            // gw already holds WAN1's address, but under TTL 60: rewritten with the entry's 120, nothing else.
            var first = await NextDdnsAsync(rebound, FailoverLab.Wan1Address);
            Assert.False(first.Root.GetProperty("unchanged").GetBoolean(), first.Line);
            Assert.Equal($"gw.pdns.test. A 120 {FailoverLab.Wan1Address}", (await ZoneAsync(http, pdns)).Gw);

            foreach (var (step, address) in new (Func<CancellationToken, Task<LabSwitch>>, string)[]
                     {
                         (lab.FailoverAsync, FailoverLab.Wan2Address),
                         (lab.FailbackAsync, FailoverLab.Wan1Address),
                     })
            {
                await step(Ct);
                var updated = await NextDdnsAsync(rebound, address);
                Assert.True(updated.Root.GetProperty("verified").GetBoolean(), updated.Line);
                Assert.False(updated.Root.GetProperty("drift").GetBoolean(), updated.Line);

                var zone = await ZoneAsync(http, pdns);
                Assert.Equal($"gw.pdns.test. A 120 {address}", zone.Gw);
                Assert.Equal(before.Others, zone.Others);
                Assert.Equal(address, await lab.DigFromLanAsync(pdns.DnsAddress, "gw.pdns.test", "A", Ct));
                var answer = await lab.ExecAsync("lan", ["dig", "+noall", "+answer", "+time=1", $"@{pdns.DnsAddress}", "gw.pdns.test", "A"], Ct);
                Assert.Equal(["gw.pdns.test.", "120", "IN", "A", address], answer.Stdout.Split([' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries));
                Assert.Equal("203.0.113.80", await lab.DigFromLanAsync(pdns.DnsAddress, "www.pdns.test", "A", Ct));
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static async Task<ReboundEvent> NextDdnsAsync(ReboundProcess rebound, string address)
    {
        var e = await rebound.WaitForAsync(x => x.Name is "ddns-updated" or "ddns-failed", TimeSpan.FromSeconds(30), $"ddns-updated to {address}", Ct);
        Assert.True(e.Name == "ddns-updated", e.Line);
        Assert.Equal("powerdns", e.GetString("provider"));
        Assert.Equal("gw.pdns.test", e.GetString("name"));
        Assert.Equal(address, e.GetString("address"));
        return e;
    }

    private static HttpRequestMessage Request(HttpMethod method, PowerDnsServer pdns)
    {
        var request = new HttpRequestMessage(method, new Uri(pdns.ApiUrl, $"/api/v1/servers/{pdns.ServerId}/zones/{pdns.Zone}."));
        request.Headers.Add("X-API-Key", pdns.ApiKey);
        return request;
    }

    /// <summary>The zone over the API as "name type ttl contents" lines: gw's A rrset, and every other but the SOA (sorted).</summary>
    private static async Task<(string? Gw, List<string> Others)> ZoneAsync(HttpClient http, PowerDnsServer pdns)
    {
        using var request = Request(HttpMethod.Get, pdns);
        using var response = await http.SendAsync(request, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, body);
        using var doc = JsonDocument.Parse(body);
        string? gw = null;
        var others = new List<string>();
        foreach (var rrset in doc.RootElement.GetProperty("rrsets").EnumerateArray())
        {
            var name = rrset.GetProperty("name").GetString();
            var type = rrset.GetProperty("type").GetString();
            var contents = rrset.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("content").GetString()).Order(StringComparer.Ordinal);
            var line = $"{name} {type} {rrset.GetProperty("ttl").GetInt32()} {string.Join(",", contents)}";
            if (name == "gw.pdns.test." && type == "A")
                gw = line;
            else if (type != "SOA")
                others.Add(line);
        }

        others.Sort(StringComparer.Ordinal);
        Assert.True(others.Count >= 4, $"too few rrsets: {body}");
        return (gw, others);
    }
}
