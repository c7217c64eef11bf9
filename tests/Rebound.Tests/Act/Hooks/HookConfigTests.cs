using Rebound.Configuration;

namespace Rebound.Tests.Act.Hooks;

public sealed class HookConfigTests
{
    [Fact]
    public void Hooks_are_read_in_file_order_with_their_events_target_and_timeout()
    {
        var result = ConfigLoader.Parse("""
            [[hook]]
            events = ["public-address-changed", "heal-failed"]
            command = ["/usr/local/bin/notify", "--quiet"]

            [[hook]]
            events = ["*"]
            url = "https://user:pa55word@hooks.example.net:8443/rebound?token=abc"
            timeout = "3s"
            """, "r.toml");

        Assert.Empty(result.Problems);
        Assert.Empty(result.Warnings);
        var hooks = Assert.IsType<ReboundConfig>(result.Config).Hooks;
        Assert.Equal(2, hooks.Count);
        Assert.Equal((0, 1), (hooks[0].Index, hooks[0].Line));
        Assert.Equal(["public-address-changed", "heal-failed"], hooks[0].Events);
        Assert.Equal(["/usr/local/bin/notify", "--quiet"], hooks[0].Command!);
        Assert.Null(hooks[0].Url);
        Assert.Equal(TimeSpan.FromSeconds(10), hooks[0].Timeout);
        Assert.True(hooks[0].Wants("heal-failed"));
        Assert.False(hooks[0].Wants("heal-step"));
        Assert.Equal("hook[0] (/usr/local/bin/notify)", hooks[0].Label);

        Assert.Equal((1, 5), (hooks[1].Index, hooks[1].Line));
        Assert.True(hooks[1].Wants("anything"));
        Assert.Equal(TimeSpan.FromSeconds(3), hooks[1].Timeout);
        Assert.Equal("hooks.example.net", hooks[1].Url!.Host);
        Assert.Equal("hook[1] (https://hooks.example.net:8443/…)", hooks[1].Label);
        Assert.DoesNotContain("pa55word", hooks[1].Label, StringComparison.Ordinal);
    }

    [Fact]
    public void An_event_name_this_version_does_not_emit_is_a_problem_that_lists_every_name()
    {
        var result = ConfigLoader.Parse("[[hook]]\nevents = [\"heal-failed\", \"tunnel-moved\"]\ncommand = [\"/bin/true\"]\n", "r.toml");

        Assert.False(result.IsValid);
        Assert.Empty(result.Warnings);
        var problem = Assert.Single(result.Problems);
        Assert.Equal((2, "hook[0].events"), (problem.Line, problem.Key));
        Assert.EndsWith("found \"tunnel-moved\"", problem.Expected, StringComparison.Ordinal);
        foreach (var name in Rebound.Record.EventCatalogue.Names)
            Assert.Contains(name, problem.Expected, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_event_the_agent_emits_is_a_valid_hook_event_config_reloads_included()
    {
        var names = string.Join(", ", Rebound.Record.EventCatalogue.Names.Select(n => $"\"{n}\""));
        var result = ConfigLoader.Parse($"[[hook]]\nevents = [{names}]\ncommand = [\"/bin/true\"]\n", "r.toml");

        Assert.Empty(result.Problems);
        Assert.Empty(result.Warnings);
        var hook = Assert.Single(result.Config!.Hooks);
        Assert.True(hook.Wants("config-reloaded"));
        Assert.True(hook.Wants("config-rejected"));
    }

    [Theory]
    [InlineData("[[hook]]\ncommand = [\"/bin/true\"]\n", 1, "hook[0].events", "(missing)")]
    [InlineData("[[hook]]\nevents = []\ncommand = [\"/bin/true\"]\n", 2, "hook[0].events", "found an empty array")]
    [InlineData("[[hook]]\nevents = [\"heal-failed\",\n  \"Heal Failed\"]\ncommand = [\"/bin/true\"]\n", 3, "hook[0].events", "found \"Heal Failed\"")]
    [InlineData("[[hook]]\nevents = [\"*\"]\n", 1, "hook[0].command", "command = [\"/path/to/program\", ...] or url = \"https://...\" (missing)")]
    [InlineData("[[hook]]\nevents = [\"*\"]\ncommand = [\"/bin/true\"]\nurl = \"http://127.0.0.1/\"\n", 4, "hook[0].url", "either command or url, not both")]
    [InlineData("[[hook]]\nevents = [\"*\"]\ncommand = [\"notify-send\"]\n", 3, "hook[0].command", "the program's absolute path first")]
    [InlineData("[[hook]]\nevents = [\"*\"]\ncommand = \"/bin/true\"\n", 3, "hook[0].command", "found a string")]
    [InlineData("[[hook]]\nevents = [\"*\"]\nurl = \"ftp://x.example/\"\n", 3, "hook[0].url", "an http:// or https:// URL")]
    [InlineData("[[hook]]\nevents = [\"*\"]\ncommand = [\"/bin/true\"]\ntimeout = \"0s\"\n", 4, "hook[0].timeout", "greater than zero")]
    [InlineData("[[hook]]\nevents = [\"*\"]\ncommand = [\"/bin/true\"]\ntimeout = \"1h\"\n", 4, "hook[0].timeout", "at most 10m")]
    [InlineData("[[hook]]\nevents = [\"*\"]\ncommand = [\"/bin/true\"]\nshell = true\n", 4, "hook[0].shell", "\"shell\" is unknown")]
    [InlineData("hook = \"x\"\n", 1, "hook", "[[hook]] tables, found a string")]
    public void Bad_hooks_name_the_line_and_what_was_expected(string toml, int line, string key, string expected)
    {
        var result = ConfigLoader.Parse(toml, "r.toml");

        Assert.Null(result.Config);
        var problem = Assert.Single(result.Problems);
        Assert.Equal((line, key), (problem.Line, problem.Key));
        Assert.Contains(expected, problem.Expected, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_url_is_never_quoted_back_because_it_may_hold_credentials()
    {
        var result = ConfigLoader.Parse("[[hook]]\nevents = [\"*\"]\nurl = \"gopher://admin:Secr3tPass@x/\"\n", "r.toml");

        var problem = Assert.Single(result.Problems);
        Assert.DoesNotContain("Secr3tPass", problem.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://hooks.slack.com/services/T000/B000/XXXXSECRETXXXX", "https://hooks.slack.com/…")]
    [InlineData("https://discord.com/api/webhooks/123/SECRETTOKEN", "https://discord.com/…")]
    [InlineData("http://127.0.0.1:8080/", "http://127.0.0.1:8080/")]
    public void A_webhook_label_never_shows_the_path_where_services_keep_their_token(string url, string label)
    {
        Assert.Equal(label, HookConfig.SafeUrl(new Uri(url)));
    }
}
