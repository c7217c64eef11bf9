using Rebound.Configuration;

namespace Rebound.Tests.Act.Heal;

public sealed class HealConfigTests
{
    [Fact]
    public void The_heal_table_sets_the_engine_pace_and_defaults_apply_without_it()
    {
        var result = ConfigLoader.Parse("""
            [heal]
            check_interval = "1m"
            max_restarts_per_hour = 1
            retry_backoff_min = "2s"
            retry_backoff_max = "1m"
            """, "r.toml");

        var heal = Assert.IsType<ReboundConfig>(result.Config).Heal;
        Assert.Equal(new HealConfig(TimeSpan.FromMinutes(1), 1, TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(1)), heal);
        var options = heal.ToEngineOptions("/var/lib/rebound");
        Assert.Equal(("/var/lib/rebound/heal-state.json", 1, TimeSpan.FromMinutes(1)), (options.StatePath, options.MaxRestartsPerHour, options.CheckInterval));
        Assert.Equal((TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(1)), (options.RetryBackoffMin, options.RetryBackoffMax));

        var defaults = Assert.IsType<ReboundConfig>(ConfigLoader.Parse("[watch]\n", "r.toml").Config).Heal;
        Assert.Equal((TimeSpan.FromSeconds(30), 3, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5)),
            (defaults.CheckInterval, defaults.MaxRestartsPerHour, defaults.RetryBackoffMin, defaults.RetryBackoffMax));
        Assert.Equal(0, Assert.IsType<ReboundConfig>(ConfigLoader.Parse("[heal]\nmax_restarts_per_hour = 0\n", "r.toml").Config).Heal.MaxRestartsPerHour);
    }

    [Theory]
    [InlineData("[heal]\ncheck_interval = \"soon\"\n", 2, "heal.check_interval", "a duration greater than zero")]
    [InlineData("[heal]\ncheck_interval = \"0s\"\n", 2, "heal.check_interval", "greater than zero")]
    [InlineData("[heal]\n\nmax_restarts_per_hour = -1\n", 3, "heal.max_restarts_per_hour", "an integer from 0 to 60, found -1")]
    [InlineData("[heal]\nmax_restarts_per_hour = \"3\"\n", 2, "heal.max_restarts_per_hour", "found a string")]
    [InlineData("[heal]\nretry_backoff_min = \"1m\"\nretry_backoff_max = \"10s\"\n", 3, "heal.retry_backoff_max", "at least retry_backoff_min (1m), found 10s")]
    [InlineData("[heal]\nmax_restart = 3\n", 2, "heal.max_restart", "\"max_restart\" is unknown")]
    [InlineData("heal = 3\n", 1, "heal", "a table [heal], found an integer")]
    public void Bad_heal_settings_name_the_line_and_what_was_expected(string toml, int line, string key, string expected)
    {
        var result = ConfigLoader.Parse(toml, "r.toml");

        Assert.Null(result.Config);
        var problem = Assert.Single(result.Problems);
        Assert.Equal((line, key), (problem.Line, problem.Key));
        Assert.Contains(expected, problem.Expected, StringComparison.Ordinal);
        Assert.StartsWith($"r.toml:{line}: {key}: expected ", problem.ToString(), StringComparison.Ordinal);
    }
}
