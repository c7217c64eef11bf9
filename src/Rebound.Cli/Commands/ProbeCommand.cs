using System.CommandLine;
using System.Net;
using System.Text.Json;
using Rebound.Decide;
using Rebound.Record;
using Rebound.Sense;
using Rebound.Sense.Stun;

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
            Ask each STUN server once which public address it sees, and print the consensus.

            Sends one STUN Binding request to every server at the same time, each from a new ephemeral
            socket, retransmitting until --timeout. Prints the public address and port each server saw and
            its round-trip time, then per address family the consensus: the address a strict majority of the
            answering servers saw. Use it to see what the outside world sees, to try STUN servers before
            putting them in [watch].servers, or in scripts (--json). Nothing is changed and nothing is kept.

            Exit codes:
              0  a consensus address was found (IPv4 or IPv6)
              1  no server answered, or the servers disagree and no address has a strict majority
              2  bad option, or a --server name that does not resolve

            Examples:
              rebound probe                        ask the two default public servers
              rebound probe -s 203.0.113.10 -s 203.0.113.11:3478 --timeout 500ms
              rebound probe --json | jq -r .address
            """)
        {
            servers, timeout, json,
        };
        command.SetAction(async (parse, ct) =>
        {
            var targets = parse.GetValue(servers) is { Count: > 0 } given ? given : [.. StunTarget.PublicDefaults];
            var userGiven = parse.GetValue(servers) is { Count: > 0 };
            var prober = services.CreateProber(parse.GetValue(timeout) ?? WatchCommand.DefaultProbeTimeout);
            var started = TimeProvider.System.GetUtcNow();
            var observations = await Task.WhenAll(targets.Select(t => ProbeOneAsync(t, services, prober, userGiven, ct)));
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
                    await services.Stderr.WriteLineAsync(observations.Any(o => o.Observation.Address is not null)
                        ? "rebound: servers disagree; no address has a majority"
                        : "rebound: no STUN server answered");
                }

                return ExitCodes.RuntimeFailure;
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task<(ProbeObservation Observation, int? Port)> ProbeOneAsync(StunTarget target, CliServices services, IStunProber prober, bool userGiven, CancellationToken ct)
    {
        var (server, error) = await services.Resolve(target, ct);
        if (server is null)
        {
            // A server the user named must exist; the built-in defaults may fail to resolve offline.
            return userGiven
                ? throw new UsageException($"--server {target.Name}: {error}")
                : (new ProbeObservation(target.Name, IpFamily.Ipv4, null, TimeSpan.Zero, error), null);
        }

        var result = await prober.ProbeAsync(server, ct);
        var family = IpFamilyNames.Of(server.EndPoint.Address);
        return (new ProbeObservation(server.Name, family, result.Mapped?.Address, result.Rtt, result.Error), result.Mapped?.Port);
    }

    /// <summary>The address a strict majority of the family's answering servers saw.</summary>
    internal static (IPAddress? Address, int Agree, int Answered) Consensus(IEnumerable<(ProbeObservation Observation, int? Port)> results, IpFamily family)
    {
        var answered = results.Select(r => r.Observation).Where(o => o.Family == family && o.Address is not null).ToList();
        var (address, votes) = ProbeConsensus.StrictMajority(answered);
        return (address, votes, answered.Count);
    }

    private static void WriteJson(Stream stdout, (ProbeObservation Observation, int? Port)[] results, DateTimeOffset time, (IPAddress? Address, int Agree, int Answered) ipv4, (IPAddress? Address, int Agree, int Answered) ipv6)
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
            foreach (var (observation, port) in results)
            {
                WanEventJson.WriteObservation(json, observation, port);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        stdout.WriteByte((byte)'\n');
        stdout.Flush();
    }

    private static void WriteText(Stream stdout, (ProbeObservation Observation, int? Port)[] results, (IPAddress? Address, int Agree, int Answered) ipv4, (IPAddress? Address, int Agree, int Answered) ipv6)
    {
        using var text = new StreamWriter(stdout, leaveOpen: true);
        var width = Math.Max(6, results.Max(r => r.Observation.Server.Length));
        text.WriteLine($"{"SERVER".PadRight(width)}  {"PUBLIC ADDRESS",-40}  RTT");
        foreach (var (o, port) in results)
        {
            var seen = o.Address is null ? $"- ({o.Error})" : o.Family == IpFamily.Ipv6 ? $"[{o.Address}]:{port}" : $"{o.Address}:{port}";
            var rtt = o.Address is null ? "" : $"{o.Rtt.TotalMilliseconds:0.0} ms";
            text.WriteLine($"{o.Server.PadRight(width)}  {seen,-40}  {rtt}");
        }

        foreach (var (name, c) in new[] { ("ipv4", ipv4), ("ipv6", ipv6) }.Where(x => x.Item2.Answered > 0))
        {
            text.WriteLine(c.Address is null
                ? $"consensus {name}: none ({c.Agree} of {c.Answered} agree at most)"
                : $"consensus {name}: {c.Address} ({c.Agree} of {c.Answered} servers agree)");
        }
    }
}
