using Rebound.Act.Ddns.Rfc2136;
using Rebound.Decide;

namespace Rebound.Configuration;

/// <summary>What a valid configuration will do, one line per table or entry, for <c>check-config</c>. No secrets.</summary>
public static class ConfigSummary
{
    public static IReadOnlyList<string> Describe(ReboundConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var watch = config.Watch;
        var lines = new List<string>
        {
            $"watch: {string.Join(", ", watch.Servers.Select(s => s.Name))} every {ConfigDuration.Format(watch.Interval)}"
                + $" (timeout {ConfigDuration.Format(watch.ProbeTimeout)}; confirm with {watch.ConfirmServers} servers or {watch.ConfirmRounds} rounds; lost after {watch.LossRounds} rounds)",
            $"state: {config.State.Directory}",
        };
        foreach (var entry in config.Ddns)
        {
            var families = string.Join("+", entry.Families.Select(f => f.ToName()));
            var detail = entry.Provider switch
            {
                DdnsProviderKind.Rfc2136 when entry.Rfc2136 is { } r =>
                    $"server {r.ServerHost}:{r.ServerPort}, zone {r.Zone.ToString().TrimEnd('.')}, ttl {entry.Ttl}, "
                    + (r.Key is { } key ? $"key {key.Name.ToString().TrimEnd('.')} ({key.Algorithm.Text()})" : "unsigned"),
                DdnsProviderKind.Dyndns2 when entry.Dyndns2 is { } d => $"{d.Url} as {d.Username}, password from {d.Password.Source}",
                DdnsProviderKind.Cloudflare when entry.Cloudflare is { } c => $"zone {c.Zone} at {c.Api}, token from {c.Token.Source}",
                DdnsProviderKind.DuckDns when entry.DuckDns is { } k => $"token from {k.Token.Source}",
                DdnsProviderKind.Desec when entry.Desec is { } e => $"token from {e.Token.Source}",
                _ => "",
            };
            lines.Add($"{entry.Label} line {entry.Line}: {string.Join(", ", entry.Names)} ({families}); {detail}; "
                + $"min interval {ConfigDuration.Format(entry.MinInterval)}, refresh every {ConfigDuration.Format(entry.Refresh)}; "
                + (entry.VerifyServer is { } v ? $"verified at {v}"
                    : entry.Provider == DdnsProviderKind.Rfc2136 ? "verified at its server" : "not verified (no verify_server)"));
        }

        if (config.Router is { } router) lines.Add(router.Describe());
        return lines;
    }
}
