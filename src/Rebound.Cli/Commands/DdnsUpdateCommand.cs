using System.CommandLine;
using System.Net;
using System.Text;
using System.Text.Json;
using Rebound.Act.Ddns;
using Rebound.Act.Ddns.Engine;
using Rebound.Decide;
using Rebound.Sense.Sources;
using Rebound.Record;

namespace Rebound.Cli.Commands;

/// <summary>
/// <c>rebound ddns update --config FILE [--dry-run] [--json]</c>: one STUN round, then every configured
/// record is brought to the public address once (sent only when the cache says it is not current),
/// verified as <c>run</c> does; for scripts and hooks.
/// </summary>
internal static class DdnsUpdateCommand
{
    /// <summary>The whole command (probe, sends, verification) gives up after this long.</summary>
    public static readonly TimeSpan OverallTimeout = TimeSpan.FromSeconds(60);

    public static Command Create(CliServices services)
    {
        var config = ConfigFile.Option();
        var dryRun = new Option<bool>("--dry-run")
        {
            Description = "Send nothing and write nothing: print what would be sent (ddns-would-send) and what is current.",
        };
        var json = new Option<bool>("--json")
        {
            Description = "Print JSON Lines (one object per record and event) instead of text.",
        };
        var update = new Command("update", """
            Bring every configured DNS record to the current public address, once.

            Learns the public address with one fresh-socket STUN round to [watch].servers (strict-majority
            consensus per family), then compares every [[ddns]] record with the cache 'rebound run' keeps.
            Records already current are only reported; the rest are sent once, as 'run' sends them (one
            atomic RFC 2136 UPDATE per zone, verified at the authoritative server), with no waiting for a
            provider's minimum interval and no retries, and reported as ddns-updated or ddns-failed lines.
            The whole command gives up after 60 s. Safe to run next to the agent; both use the same cache.

            Exit codes:
              0  every record is current or was published
              1  no public address (no STUN consensus), or a record could not be published
              2  bad option, a configuration file with problems, or a file without [[ddns]] entries

            Files:
              /etc/rebound/rebound.toml           the configuration (--config)
              /var/lib/rebound/ddns-cache.json    what each record was last set to (in the state directory)

            Examples:
              rebound ddns update -c /etc/rebound/rebound.toml
              rebound ddns update -c /etc/rebound/rebound.toml --dry-run     show what would be sent
              rebound ddns update -c rebound.toml --json | jq -c 'select(.event == "ddns-failed")'
            """)
        {
            config, dryRun, json,
        };
        update.SetAction((parse, ct) => RunAsync(services, parse.GetValue(config)!, parse.GetValue(dryRun), parse.GetValue(json), ct));
        return new Command("ddns", """
            Update the configured dynamic DNS records once, for scripts and hooks.

            'rebound run' keeps the records up to date by itself; 'rebound ddns update' does one pass now.
            """) { update };
    }

    private static async Task<int> RunAsync(CliServices services, string path, bool dryRun, bool json, CancellationToken ct)
    {
        var loaded = ConfigFile.Load(path, services);
        if (loaded is null)
        {
            return ExitCodes.BadInput;
        }

        if (loaded.Ddns.Count == 0)
        {
            throw new UsageException($"{path}: no [[ddns]] entries; nothing to update");
        }

        var stateDirectory = loaded.State.Directory;
        if (!dryRun)
        {
            try
            {
                Directory.CreateDirectory(stateDirectory);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new InvalidOperationException($"state directory {stateDirectory}: {ex.Message}", ex);
            }
        }

        using var bounded = new CancellationTokenSource(OverallTimeout, TimeProvider.System);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, bounded.Token);
        // Without a readable key (a dry run before the first 'run', a state directory this user cannot read) the ids
        // come from a key for this run alone: they reveal nothing, and match only records cached under former ids.
        var key = TargetIdKey.LoadOrEphemeral(stateDirectory, create: !dryRun);
        var (targets, owned, problem) = await DdnsTargets.CreateAsync(loaded, key, TimeProvider.System, linked.Token);
        DdnsEngine? engine = null;
        var printer = new EventPrinter(services.Stdout, json);
        try
        {
            if (problem is not null)
            {
                throw new UsageException(problem);
            }

            var addresses = await PublicAddressesAsync(services, loaded.Watch, linked.Token);
            if (addresses.Count == 0)
            {
                return ExitCodes.RuntimeFailure;
            }

            engine = new DdnsEngine(targets, new DdnsEngineOptions { CachePath = Path.Combine(stateDirectory, RunCommand.CacheFileName) }, TimeProvider.System);
            var result = await engine.UpdateOnceAsync(addresses, dryRun, linked.Token);
            foreach (var record in result.Records)
            {
                WriteRecord(services.Stdout, json, record, dryRun);
            }

            foreach (var e in result.Events)
            {
                printer.Print(e);
            }

            return result.Succeeded ? ExitCodes.Success : ExitCodes.RuntimeFailure;
        }
        catch (OperationCanceledException) when (bounded.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            // What finished before the deadline is cached and reported; the rest is not current.
            while (engine is not null && engine.Events.TryRead(out var e))
            {
                printer.Print(e);
            }

            await services.Stderr.WriteLineAsync($"rebound: ddns update gave up after {OverallTimeout.TotalSeconds:0} s; records not reported above are not current");
            return ExitCodes.RuntimeFailure;
        }
        finally
        {
            foreach (var d in owned)
            {
                d.Dispose();
            }
        }
    }

    /// <summary>One fresh-socket round to <c>[watch].servers</c>; the families with a consensus (none: one stderr line).</summary>
    private static async Task<Dictionary<IpFamily, IPAddress>> PublicAddressesAsync(CliServices services, Rebound.Configuration.WatchConfig watch, CancellationToken ct)
    {
        var observations = (await OneShotSources.AskAllAsync(services, watch.Servers, watch.ProbeTimeout, userGiven: false, ct)).Select(r => r.Observation).ToArray();

        var addresses = new Dictionary<IpFamily, IPAddress>();
        foreach (var family in new[] { IpFamily.Ipv4, IpFamily.Ipv6 })
        {
            if (ProbeCommand.Consensus(observations, family).Address is { } address)
            {
                addresses[family] = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
            }
        }

        if (addresses.Count == 0)
        {
            var why = observations.Any(o => o.Address is not null && !o.Kind.IsGatewayHint())
                ? "the servers disagree; no address has a majority"
                : $"no server answered ({string.Join("; ", observations.Select(o => $"{o.Server}: {o.Error}"))})";
            await services.Stderr.WriteLineAsync($"rebound: no public address: {why.ReplaceLineEndings(" ")}");
        }

        return addresses;
    }

    private static string RecordType(IpFamily family) => family == IpFamily.Ipv6 ? "AAAA" : "A";

    /// <summary>What the pass found for one record, before its events: current, (would) send, or no address.</summary>
    private static void WriteRecord(Stream stdout, bool json, DdnsRecordState r, bool dryRun)
    {
        // Records that are sent are reported by their ddns-updated / ddns-failed events.
        if (!dryRun && r.Status is DdnsRecordStatus.Send or DdnsRecordStatus.Refresh)
        {
            return;
        }

        try
        {
            if (json)
            {
                using (var writer = new Utf8JsonWriter(stdout))
                {
                    EventTime.WriteEnvelope(writer, TimeProvider.System.GetUtcNow(), r.Status switch
                    {
                        DdnsRecordStatus.Current => "ddns-current",
                        DdnsRecordStatus.NoAddress => "ddns-no-address",
                        _ => "ddns-would-send",
                    });
                    writer.WriteString("name", r.Name);
                    writer.WriteString("type", RecordType(r.Family));
                    writer.WriteString("address", r.Address?.ToString());
                    writer.WriteString("provider", r.Provider);
                    writer.WriteString("sentAt", r.SentAt is { } sent ? EventTime.Format(sent) : null);
                    writer.WriteBoolean("refresh", r.Status == DdnsRecordStatus.Refresh);
                    writer.WriteString("target", r.TargetId);
                    writer.WriteEndObject();
                }

                stdout.WriteByte((byte)'\n');
            }
            else
            {
                var line = r.Status switch
                {
                    DdnsRecordStatus.Current => $"{r.Name} {RecordType(r.Family)} {r.Address} is current (sent {Seconds(r.SentAt)})",
                    DdnsRecordStatus.NoAddress => $"{r.Name} {RecordType(r.Family)}: no public {(r.Family == IpFamily.Ipv6 ? "IPv6" : "IPv4")} address; left alone",
                    DdnsRecordStatus.Refresh => $"would send {r.Name} {RecordType(r.Family)} {r.Address} via {r.Provider} (refresh)",
                    _ => $"would send {r.Name} {RecordType(r.Family)} {r.Address} via {r.Provider}",
                };
                stdout.Write(Encoding.UTF8.GetBytes(line + "\n"));
            }

            stdout.Flush();
        }
        catch (IOException ex)
        {
            throw new StdoutClosedException(ex);
        }
    }

    private static string Seconds(DateTimeOffset? time) =>
        time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture) : "never";
}
