using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Rebound.Lab.Tests.Harness;

namespace Rebound.Lab.Tests;

/// <summary>
/// Issue 16, as a local user would do it: waves of never-closed connections to the agent's HTTP port (loopback
/// of the lab's LAN namespace) and to its control socket, while it probes the lab's STUN servers. The agent runs
/// with the 1024 descriptors a unit without LimitNOFILE gets, soft and hard, so it cannot raise its way out.
/// </summary>
public sealed class HostileFloodTests
{
    private const int Waves = 6;
    private const int TcpPerWave = 1500;
    private const int UnixPerWave = 200;
    private static readonly TimeSpan WaveEvery = TimeSpan.FromSeconds(4);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Floods_on_the_http_port_and_the_control_socket_cause_no_WAN_event_and_status_keeps_answering()
    {
        await using var lab = await FailoverLab.StartAsync(LabMode.Masquerade, Ct);
        var dir = Directory.CreateTempSubdirectory("rebound-flood-");
        var held = new List<Socket>();
        try
        {
            var control = Path.Combine(dir.FullName, "control.sock");
            var config = Path.Combine(dir.FullName, "rebound.toml");
            await File.WriteAllTextAsync(config, $"""
                [watch]
                servers = ["{FailoverLab.Stun1}", "{FailoverLab.Stun2}"]
                interval = "1s"

                [state]
                directory = "{dir.FullName}/state"

                [http]
                listen = "127.0.0.1:9464"
                control_socket = "{control}"
                """, Ct);

            await using var rebound = ReboundProcess.StartInLanUnder(lab, ["prlimit", "--nofile=1024:1024", "--"], ["run", "--config", config, "--json"]);
            var started = await rebound.NextEventAsync(TimeSpan.FromSeconds(20), "started", Ct);
            Assert.Equal(FailoverLab.Wan1Address, started.GetString("addresses", "ipv4"));
            await rebound.AssertQuietAsync(TimeSpan.FromSeconds(2), "before the flood", Ct);

            var statusTimes = new List<TimeSpan>();
            var maxDescriptors = 0;
            var connected = 0;
            for (var wave = 0; wave < Waves; wave++)
            {
                var waveStart = Stopwatch.GetTimestamp();
                connected += lab.InNamespace("lan", () => Open(held, AddressFamily.InterNetwork, new IPEndPoint(IPAddress.Loopback, 9464), TcpPerWave));
                connected += Open(held, AddressFamily.Unix, new UnixDomainSocketEndPoint(control), UnixPerWave);

                // Mid-wave: the control socket still answers, and with the agent's own view.
                var (elapsed, result) = await StatusAsync(lab, config);
                Assert.True(result.ExitCode == 0, $"rebound status during wave {wave}: exit {result.ExitCode}\n{result.Stdout}\n{result.Stderr}\n{rebound.Diagnostics()}");
                Assert.Contains(FailoverLab.Wan1Address, result.Stdout, StringComparison.Ordinal);
                statusTimes.Add(elapsed);
                maxDescriptors = Math.Max(maxDescriptors, Directory.GetFiles($"/proc/{rebound.Id}/fd").Length);

                var left = WaveEvery - Stopwatch.GetElapsedTime(waveStart);
                if (left > TimeSpan.Zero)
                    await Task.Delay(left, Ct);
            }

            // The flood was real, and it left the agent its descriptors and its view of the WAN.
            Assert.True(connected >= Waves * TcpPerWave / 2, $"only {connected} connections were made");
            await rebound.AssertQuietAsync(TimeSpan.FromSeconds(3), $"during and after {Waves} waves ({connected} connections, at most {maxDescriptors} descriptors)", Ct);
            Assert.True(maxDescriptors < 1024 - 64, $"the agent held {maxDescriptors} descriptors");
            Assert.True(statusTimes.Max() < TimeSpan.FromSeconds(5), $"rebound status took {statusTimes.Max()}");
            Assert.DoesNotContain("lack of descriptors", rebound.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var s in held)
                s.Dispose();
            dir.Delete(recursive: true);
        }
    }

    /// <summary>Starts <paramref name="count"/> non-blocking connects that are never closed; returns how many did not fail at once.</summary>
    private static int Open(List<Socket> held, AddressFamily family, EndPoint to, int count)
    {
        var made = 0;
        for (var i = 0; i < count; i++)
        {
            var s = new Socket(family, SocketType.Stream, family == AddressFamily.Unix ? ProtocolType.Unspecified : ProtocolType.Tcp) { Blocking = false };
            held.Add(s);
            try
            {
                s.Connect(to);
                made++;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
            {
                made++;
            }
            catch (SocketException)
            {
                // A full control socket backlog refuses (EAGAIN) at once: that is the flood too.
            }
        }

        return made;
    }

    private static async Task<(TimeSpan Elapsed, CommandResult Result)> StatusAsync(FailoverLab lab, string config)
    {
        var start = Stopwatch.GetTimestamp();
        var result = await ProcessRunner.RunAsync("ip", ["netns", "exec", lab.LanNamespace, .. ReboundProcess.CliCommand(), "status", "--config", config], TimeSpan.FromSeconds(30), Ct);
        return (Stopwatch.GetElapsedTime(start), result);
    }
}
