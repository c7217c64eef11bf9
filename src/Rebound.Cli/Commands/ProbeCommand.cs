using System.CommandLine;
using System.Net;
using System.Text.Json;
using Rebound.Configuration;
using Rebound.Decide;
using Rebound.Record;
using Rebound.Sense.Sources;

namespace Rebound.Cli.Commands;

/// <summary><c>rebound probe</c>: one fresh-socket round to every server, and the consensus.</summary>
internal static class ProbeCommand
{
    public static Command Create(CliServices services)
    {
        var servers = CommonOptions.Servers();
        var json = CommonOptions.Json("Print one JSON object: the consensus and every server's answer (README: CLI contract).");
        var timeout = CommonOptions.Duration("--timeout", "Give up on a server after this long, retransmitting meanwhile. Default: 1s.");
        var command = new Command("probe", """
            Ask each address source once which public address it sees, and print the consensus.

            Asks every source at the same time, each from a new ephemeral socket: a STUN Binding request
            (retransmitting until --timeout), an HTTP(S) echo, a DNS whoami, the gateway (NAT-PMP, UPnP: hints,
            never counted). Prints what each saw and its round-trip time, then per address family the
            consensus: the address a strict majority of the answering sources saw. Use it to see what the outside world sees, to try STUN servers before
            putting them in [watch].servers, or in scripts (--json). Nothing is changed and nothing is kept.

            Exit codes:
              0  a consensus address was found (IPv4 or IPv6)
              1  no source answered (or none could be asked), or they disagree and no address has a strict majority
              2  bad option, or a --server name that does not resolve

            Examples:
              rebound probe                        ask the default public sources (2 STUN, 1 HTTPS)
              rebound probe -s 203.0.113.10 -s 203.0.113.11:3478 --timeout 500ms
              rebound probe --json | jq -r .address
            """)
        {
            servers, timeout, json,
        };
        command.SetAction(async (parse, ct) =>
        {
            var userGiven = parse.GetValue(servers) is { Count: > 0 };
            IReadOnlyList<AddressSourceSpec> targets = userGiven ? parse.GetValue(servers)! : AddressSources.PublicDefaults;
            var started = TimeProvider.System.GetUtcNow();
            var results = await OneShotSources.AskAllAsync(services, targets, parse.GetValue(timeout) ?? WatchConfig.DefaultProbeTimeout, userGiven, ct);
            var observations = results.Select(r => r.Observation).ToArray();
            var ipv4 = Consensus(observations, IpFamily.Ipv4);
            var ipv6 = Consensus(observations, IpFamily.Ipv6);
            if (parse.GetValue(json))
            {
                WriteJson(services.Stdout, observations, started, ipv4, ipv6);
            }
            else
            {
                WriteText(services.Stdout, observations, ipv4, ipv6);
            }

            if (ipv4.Address is null && ipv6.Address is null)
            {
                if (!parse.GetValue(json))
                {
                    await services.Stderr.WriteLineAsync(
                        observations.Any(o => o.Address is not null && !o.Kind.IsGatewayHint()) ? "rebound: the servers disagree; no address has a majority"
                        : !results.Any(r => r.Asked) ? "rebound: no server could be asked: none of their names resolves (offline, or no DNS?); name servers by address with --server"
                        : "rebound: no server answered");
                }

                return ExitCodes.RuntimeFailure;
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The address a strict majority of the family's answering sources saw (gateway hints never decide).</summary>
    internal static (IPAddress? Address, int Agree, int Answered) Consensus(IEnumerable<ProbeObservation> results, IpFamily family)
    {
        var answered = results.Where(o => o.Family == family && o.Address is not null && !o.Kind.IsGatewayHint()).ToList();
        var (address, votes) = ProbeConsensus.StrictMajority(answered);
        return (address, votes, answered.Count);
    }

    private static void WriteJson(Stream stdout, ProbeObservation[] results, DateTimeOffset time, (IPAddress? Address, int Agree, int Answered) ipv4, (IPAddress? Address, int Agree, int Answered) ipv6)
    {
        using (var json = new Utf8JsonWriter(stdout))
        {
            json.WriteStartObject();
            json.WriteString("time", EventTime.Format(time));
            json.WriteString("address", ipv4.Address?.ToString());
            json.WriteString("ipv6", ipv6.Address?.ToString());
            json.WriteNumber("agree", ipv4.Agree);
            json.WriteNumber("answered", ipv4.Answered);
            json.WriteStartArray("servers");
            foreach (var observation in results)
            {
                WanEventJson.WriteObservation(json, observation);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        stdout.WriteByte((byte)'\n');
        stdout.Flush();
    }

    /// <summary>Fixed columns first (server, kind, RTT), the address or the error last, so nothing long shifts a column.</summary>
    private static void WriteText(Stream stdout, ProbeObservation[] results, (IPAddress? Address, int Agree, int Answered) ipv4, (IPAddress? Address, int Agree, int Answered) ipv6)
    {
        using var text = new StreamWriter(stdout, leaveOpen: true);
        var width = Math.Max(6, results.Max(r => r.Server.Length));
        text.WriteLine($"{"SERVER".PadRight(width)}  {"KIND",-7}  {"RTT",10}  PUBLIC ADDRESS");
        foreach (var o in results)
        {
            var seen = o.Address is null ? $"- ({o.Error})"
                : o.Port is not { } port ? o.Address.ToString()
                : o.Family == IpFamily.Ipv6 ? $"[{o.Address}]:{port}" : $"{o.Address}:{port}";
            var rtt = o.Address is null ? "-" : $"{o.Rtt.TotalMilliseconds:0.0} ms";
            text.WriteLine($"{o.Server.PadRight(width)}  {o.Kind.ToName(),-7}  {rtt,10}  {seen}");
        }

        foreach (var (name, c) in new[] { ("ipv4", ipv4), ("ipv6", ipv6) }.Where(x => x.Item2.Answered > 0))
        {
            text.WriteLine(c.Address is null
                ? $"consensus {name}: none ({c.Agree} of {c.Answered} agree at most)"
                : $"consensus {name}: {c.Address} ({c.Agree} of {c.Answered} servers agree)");
        }
    }
}
