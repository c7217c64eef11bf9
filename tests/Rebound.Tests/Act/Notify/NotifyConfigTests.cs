using Rebound.Act.Notify;
using Rebound.Configuration;

namespace Rebound.Tests.Act.Notify;

public sealed class NotifyConfigTests
{
    [Fact]
    public void Every_service_example_parses_and_its_label_quotes_no_token()
    {
        foreach (var service in NotifyServices.All)
        {
            var endpoint = NotifyServices.Parse(service.Example, out var problem);
            Assert.True(endpoint is not null, $"{service.Scheme}: {problem}");
            Assert.StartsWith(service.Scheme.Split('+')[0], endpoint.Service, StringComparison.Ordinal);
            foreach (var secret in new[] { "AzyoeNS.D4iJLVa", "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", "kR3xSxa1b2c3d4e5f6g7h8i9j0", "XXXXXXXXXXXXXXXXXXXXXXXX", "s3cret", "rebound-home" })
                Assert.DoesNotContain(secret, endpoint.Label, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Entries_are_read_with_events_window_and_a_url_from_a_file_or_the_environment()
    {
        var result = ConfigLoader.Parse("""
            [[notify]]
            events = ["upstream-lost", "heal-failed", "upstream-lost"]
            url_env = "NTFY_URL"
            window = "2m"

            [[notify]]
            events = ["*"]
            url_env = "MAIL_URL"
            """, "r.toml", name => name switch
            {
                "NTFY_URL" => "ntfy://ntfy.sh/rebound-home",
                "MAIL_URL" => "smtp://mx.example.net/?from=rebound@example.net&to=ops@example.net,me@example.net&encryption=None",
                _ => null,
            });

        Assert.Empty(result.Problems);
        var notify = result.Config!.Notify;
        Assert.Equal(2, notify.Count);
        Assert.Equal(["upstream-lost", "heal-failed"], notify[0].Events);
        Assert.Equal(TimeSpan.FromMinutes(2), notify[0].Window);
        Assert.Equal("notify[0] (ntfy (https://ntfy.sh/…))", notify[0].Label);
        Assert.True(notify[1].Wants("ddns-updated"));
        Assert.Equal(NotifyConfig.DefaultWindow, notify[1].Window);
        Assert.Equal("notify[1] (smtp (mx.example.net:25))", notify[1].Label);
    }

    [Theory]
    [InlineData("gotify://gotify.example.net/S3cretT0ken?prio=3", "expected gotify:// parameters from priority, title, disabletls; found prio (from inline)")]
    [InlineData("telegram://1234:S3cretT0ken@telegram", "expected telegram:// chats=@channel or chat ids (missing) (from inline)")]
    [InlineData("discord://S3cretT0ken@notanumber", "expected discord://TOKEN@WEBHOOKID (the webhook's token, then its numeric id) (from inline)")]
    [InlineData("slack://xoxb:S3cretT0ken@C0123", "expected a Slack incoming-webhook URL, slack://hook:A-B-C@webhook (bot tokens are not supported) (from inline)")]
    [InlineData("smtp://me:S3cretT0ken@mx.example.net/?from=a@b.c", "expected smtp:// from=ADDRESS and to=ADDRESS[,ADDRESS] (each like name@example.net) (from inline)")]
    [InlineData("smtp://me:S3cretT0ken@mx.example.net/?from=a@b.c&to=d@e.f&auth=OAuth2", "expected smtp:// encryption=None|ExplicitTLS|ImplicitTLS|Auto, usestarttls=yes|no, auth=None|Plain|Unknown (CRAMMD5 and OAuth2 are not supported) (from inline)")]
    [InlineData("pushover://S3cretT0ken@user", "expected a URL of ntfy://, gotify://, telegram://, discord://, slack://, smtp://, generic+https://, generic+http://; pushover:// is unknown (from inline)")]
    [InlineData("S3cretT0ken", "expected a URL like ntfy://ntfy.sh/topic (no scheme:// found) (from inline)")]
    [InlineData("ntfy://ntfy.sh:99999/S3cretT0ken", "expected a ntfy:// URL whose port is a number from 1 to 65535 (from inline)")]
    public void A_bad_url_is_a_problem_at_its_line_that_never_quotes_it(string url, string expected)
    {
        var result = ConfigLoader.Parse($"[[notify]]\nevents = [\"*\"]\nurl = \"{url}\"\n", "r.toml");

        var problem = Assert.Single(result.Problems);
        Assert.Equal((3, "notify[0].url"), (problem.Line, problem.Key));
        Assert.Equal(expected, "expected " + problem.Expected);
        Assert.DoesNotContain("S3cretT0ken", problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_event_name_is_a_problem_at_its_line_as_for_hooks()
    {
        var result = ConfigLoader.Parse("[[notify]]\nurl = \"ntfy://ntfy.sh/x\"\nevents = [\n  \"upstream-lost\",\n  \"tunnel-moved\",\n]\n", "r.toml");

        var problem = Assert.Single(result.Problems);
        Assert.Equal((5, "notify[0].events"), (problem.Line, problem.Key));
        Assert.EndsWith("found \"tunnel-moved\"", problem.Expected, StringComparison.Ordinal);
        Assert.Contains("notify-failed", problem.Expected, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_url_and_events_are_both_reported()
    {
        var result = ConfigLoader.Parse("[[notify]]\nwindow = \"1m\"\n", "r.toml");

        Assert.Equal(["notify[0].events", "notify[0].url"], result.Problems.Select(p => p.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_healthcheck_table_reads_its_url_and_interval_and_refuses_a_bad_url_without_quoting_it()
    {
        var good = ConfigLoader.Parse("[healthcheck]\nurl_env = \"HC\"\ninterval = \"5m\"\n", "r.toml", n => n == "HC" ? "https://hc-ping.com/0b5f2b4e-uuid" : null);
        Assert.Empty(good.Problems);
        Assert.Equal(new Uri("https://hc-ping.com/0b5f2b4e-uuid"), good.Config!.Healthcheck!.Url);
        Assert.Equal(TimeSpan.FromMinutes(5), good.Config.Healthcheck.Interval);
        Assert.Equal("healthcheck (https://hc-ping.com/…)", good.Config.Healthcheck.Label);
        Assert.Null(ConfigLoader.Parse("", "r.toml").Config!.Healthcheck);

        var bad = ConfigLoader.Parse("[healthcheck]\nurl = \"ftp://hc-ping.com/S3cretUuid\"\n", "r.toml");
        var problem = Assert.Single(bad.Problems);
        Assert.Equal((2, "healthcheck.url"), (problem.Line, problem.Key));
        Assert.DoesNotContain("S3cretUuid", problem.ToString(), StringComparison.Ordinal);
    }
}
