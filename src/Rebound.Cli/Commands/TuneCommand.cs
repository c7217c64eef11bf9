using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Rebound.Act.Commands;
using Rebound.Act.Tune;
using Rebound.Configuration;

namespace Rebound.Cli.Commands;

/// <summary><c>rebound tune [--apply|--revert] [--json]</c>: the kernel settings that decide how fast dead flows are noticed.</summary>
internal static class TuneCommand
{
    private const string Description = """
        Show and (reversibly) apply the kernel settings that make dead flows noticed sooner.

        The settings: TCP keepalive (net.ipv4.tcp_keepalive_time/intvl/probes), how long
        unacknowledged TCP data is retransmitted (net.ipv4.tcp_retries2) and, on a router, how long
        UDP conntrack mappings outlive their last packet (net.netfilter.nf_conntrack_udp_timeout,
        _stream). Also advises a persistent keepalive for WireGuard peers that have none (advice
        only; read from 'wg show all dump').

        Without options nothing is changed: a table shows each setting's current value, the recommended
        value and why. A value already at or below the recommendation is left alone; tuning never makes
        detection slower.

        --apply writes the recommended values to /proc/sys and to /etc/sysctl.d/90-rebound.conf, so they
        persist across reboots. Before changing anything it saves the original values to
        STATE-DIR/tune-backup.json; applying again never replaces those originals. --revert puts back
        exactly what was there, restores or removes the drop-in file and deletes the backup. The net.*
        settings belong to the network namespace tune runs in.

        Exit codes:
          0  done (also when nothing needed changing)
          1  a setting or file could not be read or written (e.g. not root)
          2  bad options

        Files:
          /etc/sysctl.d/90-rebound.conf        the drop-in --apply writes
          STATE-DIR/tune-backup.json           the original values (see --state-directory)

        Examples:
          rebound tune                    show current and recommended values
          sudo rebound tune --apply       apply them now and at every boot
          sudo rebound tune --revert      undo --apply exactly
          rebound tune --json | jq '.settings[] | select(.change)'
        """;

    public static Command Create(CliServices services)
    {
        var apply = new Option<bool>("--apply") { Description = "Write the recommended values (now, and in /etc/sysctl.d/90-rebound.conf), keeping a backup of the originals." };
        var revert = new Option<bool>("--revert") { Description = "Restore the values saved by --apply, and restore or remove the drop-in file." };
        var json = CommonOptions.Json("Print one JSON object: every setting, its values and what changed.");
        var stateDir = new Option<string>("--state-directory")
        {
            Description = "Where the backup of the original values is kept. Default: the config's [state] directory, "
                + $"else $STATE_DIRECTORY (set by systemd), else {StateConfig.DefaultDirectory}.",
            HelpName = "DIR",
        };
        // The spelling 0.x shipped; kept so scripts keep working, but only --state-directory is documented (as in events).
        var oldStateDir = new Option<string>("--state-dir") { Hidden = true };
        var config = ConfigFile.Option();
        config.Required = false;
        config.Description = "Read the state directory from this configuration file's [state] table.";
        var procSys = new Option<string>("--proc-sys") { Hidden = true };
        var sysctlDir = new Option<string>("--sysctl-dir") { Hidden = true };
        var wgDump = new Option<string>("--wg-dump") { Hidden = true };
        var command = new Command("tune", Description) { apply, revert, json, stateDir, oldStateDir, config, procSys, sysctlDir, wgDump };
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(apply) && parse.GetValue(revert))
            {
                throw new UsageException("--apply and --revert cannot be used together");
            }

            var stateDirectory = NonEmpty(parse.GetValue(stateDir), "--state-directory") ?? NonEmpty(parse.GetValue(oldStateDir), "--state-dir");
            if (stateDirectory is null && parse.GetValue(config) is { } configPath)
            {
                if (ConfigFile.Load(configPath, services, environmentElsewhere: true) is not { } loaded)
                {
                    return ExitCodes.BadInput;
                }

                stateDirectory = loaded.State.Directory;
            }

            stateDirectory ??= EventsCommand.DefaultStateDirectory();
            var options = new TuneOptions
            {
                ProcSysRoot = NonEmpty(parse.GetValue(procSys), "--proc-sys") ?? TuneDefaults.ProcSys,
                SysctlDirectory = NonEmpty(parse.GetValue(sysctlDir), "--sysctl-dir") ?? TuneDefaults.SysctlD,
                StateDirectory = stateDirectory,
            };
            var tuner = new Tuner(options);
            IReadOnlyList<TuneChange>? changes = null;
            var reverted = false;
            try
            {
                if (parse.GetValue(apply))
                {
                    changes = tuner.Apply();
                }
                else if (parse.GetValue(revert))
                {
                    changes = tuner.Revert();
                    reverted = true;
                }

                var rows = tuner.Inspect();
                var wireguard = await ReadWireGuardAsync(parse.GetValue(wgDump), ct);
                if (parse.GetValue(json))
                {
                    WriteJson(services.Stdout, rows, wireguard, changes, reverted, options);
                }
                else
                {
                    WriteText(services.Stdout, rows, wireguard, changes, reverted, options);
                }
            }
            catch (TuneException ex)
            {
                await services.Stderr.WriteLineAsync($"rebound: {ex.Message}");
                return ExitCodes.RuntimeFailure;
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static string? NonEmpty(string? value, string name) =>
        value is null ? null : value.Length > 0 ? value : throw new UsageException($"{name}: must not be empty");

    /// <summary>
    /// WireGuard peers without keepalive; null when wg is not installed or failed, or there is no peer to advise on
    /// (then the note says why, so "every peer has a keepalive" is never said of no peers).
    /// </summary>
    private static async Task<(IReadOnlyList<WireGuardKeepaliveAdvice>? Advice, string? Note)> ReadWireGuardAsync(string? dumpFile, CancellationToken ct)
    {
        string dump;
        if (dumpFile is not null)
        {
            try
            {
                dump = BoundedFile.ReadText(dumpFile, BoundedFile.MaxConfigBytes);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"--wg-dump: cannot read {dumpFile}: {ex.Message}");
            }
        }
        else
        {
            var (advice, note) = await WireGuardKeepaliveAdvice.ReadAsync(new ProcessCommandRunner(), ct);
            if (advice is null || advice.Count > 0)
            {
                return (advice, note);
            }

            // Nothing to advise: tell "no peers" from "every peer has one" (one more dump, public fields only).
            var again = await new ProcessCommandRunner().RunAsync(new CommandRequest(["wg", "show", "all", "dump"], TimeSpan.FromSeconds(5)), ct);
            dump = again.ExitCode == 0 ? again.Output : "";
        }

        return PeersWithEndpoint(dump) == 0
            ? (null, "no WireGuard peer with an endpoint here")
            : (WireGuardKeepaliveAdvice.FromDump(dump), null);
    }

    // Peer lines of `wg show all dump` have 9 tab-separated fields; the 4th is the endpoint or "(none)".
    private static int PeersWithEndpoint(string dump) =>
        dump.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split('\t'))
            .Count(f => f.Length == 9 && f[3] != "(none)");

    private static void WriteText(Stream stdout, IReadOnlyList<TuneRow> rows, (IReadOnlyList<WireGuardKeepaliveAdvice>? Advice, string? Note) wireguard, IReadOnlyList<TuneChange>? changes, bool reverted, TuneOptions options)
    {
        using var text = new StreamWriter(stdout, leaveOpen: true);
        if (reverted)
        {
            text.WriteLine(changes is null
                ? $"nothing to revert: no backup at {options.BackupPath}"
                : $"reverted {changes.Count} setting{(changes.Count == 1 ? "" : "s")} from {options.BackupPath}; {options.DropInPath} restored or removed");
            foreach (var c in changes ?? [])
            {
                text.WriteLine($"  {c.Key}: {c.From} -> {c.To}");
            }

            text.WriteLine();
        }
        else if (changes is not null)
        {
            text.WriteLine(changes.Count == 0
                ? "nothing to change: every setting is at or below its recommendation"
                : $"applied {changes.Count} setting{(changes.Count == 1 ? "" : "s")}; persisted in {options.DropInPath}; originals in {options.BackupPath} (undo: rebound tune --revert)");
            foreach (var c in changes)
            {
                text.WriteLine($"  {c.Key}: {c.From} -> {c.To}");
            }

            text.WriteLine();
        }

        var width = rows.Max(r => r.Setting.Key.Length);
        text.WriteLine($"{"SETTING".PadRight(width)}  {"CURRENT",-8} {"RECOMMENDED",-11} {"STATUS",-6}  WHY");
        foreach (var r in rows)
        {
            text.WriteLine($"{r.Setting.Key.PadRight(width)}  {r.Current ?? "-",-8} {r.Setting.RecommendedText,-11} {r.Status,-6}  {r.Setting.Why}");
        }

        text.WriteLine();
        if (wireguard.Advice is null)
        {
            text.WriteLine($"wireguard: no advice ({wireguard.Note})");
        }
        else if (wireguard.Advice.Count == 0)
        {
            text.WriteLine("wireguard: every peer with an endpoint has a persistent keepalive");
        }
        else
        {
            foreach (var a in wireguard.Advice)
            {
                text.WriteLine($"wireguard {a.Interface} peer {a.PublicKey} ({a.Endpoint}): persistent keepalive off -> {WireGuardKeepaliveAdvice.Recommended}; nothing keeps its NAT mapping alive while idle (set PersistentKeepalive = {WireGuardKeepaliveAdvice.Recommended})");
            }
        }
    }

    private static void WriteJson(Stream stdout, IReadOnlyList<TuneRow> rows, (IReadOnlyList<WireGuardKeepaliveAdvice>? Advice, string? Note) wireguard, IReadOnlyList<TuneChange>? changes, bool reverted, TuneOptions options)
    {
        using (var json = new Utf8JsonWriter(stdout))
        {
            json.WriteStartObject();
            json.WriteStartArray("settings");
            foreach (var r in rows)
            {
                json.WriteStartObject();
                json.WriteString("key", r.Setting.Key);
                if (r.Current is null)
                {
                    json.WriteNull("current");
                }
                else
                {
                    WriteValue(json, "current", r.Current);
                }

                json.WriteNumber("recommended", r.Setting.Recommended);
                json.WriteBoolean("change", r.NeedsChange);
                json.WriteString("status", r.Status);
                json.WriteString("why", r.Setting.Why);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            if (changes is not null)
            {
                json.WriteStartArray(reverted ? "reverted" : "applied");
                foreach (var c in changes)
                {
                    json.WriteStartObject();
                    json.WriteString("key", c.Key);
                    WriteValue(json, "from", c.From);
                    WriteValue(json, "to", c.To);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteString("dropIn", options.DropInPath);
                json.WriteString("backup", options.BackupPath);
            }
            else if (reverted)
            {
                json.WriteNull("reverted");
            }

            json.WriteStartObject("wireguard");
            if (wireguard.Advice is null)
            {
                json.WriteString("note", wireguard.Note);
            }
            else
            {
                json.WriteStartArray("peers");
                foreach (var a in wireguard.Advice)
                {
                    json.WriteStartObject();
                    json.WriteString("interface", a.Interface);
                    json.WriteString("publicKey", a.PublicKey);
                    json.WriteString("endpoint", a.Endpoint);
                    json.WriteNumber("persistentKeepalive", a.PersistentKeepalive);
                    json.WriteNumber("recommended", WireGuardKeepaliveAdvice.Recommended);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        stdout.WriteByte((byte)'\n');
    }

    // A sysctl value that is one integer is a JSON number, like "recommended"; anything else stays a string.
    private static void WriteValue(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
            json.WriteNull(name);
        else if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
            json.WriteNumber(name, number);
        else
            json.WriteString(name, value);
    }

    private static class TuneDefaults
    {
        public const string ProcSys = "/proc/sys";
        public const string SysctlD = "/etc/sysctl.d";
    }
}
