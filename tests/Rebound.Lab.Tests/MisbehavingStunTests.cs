using System.Diagnostics;
using Rebound.Lab.Tests.Harness;

namespace Rebound.Lab.Tests;

/// <summary>
/// STUN servers that answer garbage, answer too late, answer from the wrong address, or lie about our
/// address, next to the two honest ones: the watcher still reports exactly the real failover and
/// failback, and never the address the bad servers claim.
/// </summary>
public sealed class MisbehavingStunTests
{
    private const string Claimed = "203.0.113.99";
    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(20);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string LabTools => Path.Combine(AppContext.BaseDirectory, "rebound-labtools.dll");

    // With one STUN server per round the liar is sometimes the one asked first: its claim must still be outvoted
    // (not split the cross-check's vote) and shown in the deciding evidence.
    [Fact]
    public async Task Garbage_slow_wrong_source_and_lying_servers_do_not_move_the_state()
    {
        await using var lab = await FailoverLab.StartAsync(LabMode.Masquerade, Ct);
        foreach (var a in new[] { "203.0.113.12", "203.0.113.13", "203.0.113.14", "203.0.113.15", "203.0.113.16" })
        {
            (await lab.ExecAsync("internet", ["ip", "addr", "add", $"{a}/32", "dev", "lo"], Ct)).EnsureSuccess();
        }

        var servers = new List<Process>();
        try
        {
            servers.Add(StartBadServer(lab, "203.0.113.12:3478", "garbage"));
            servers.Add(StartBadServer(lab, "203.0.113.13:3478", "slow", "--delay-ms", "1500"));
            servers.Add(StartBadServer(lab, "203.0.113.14:3478", "wrong-source", "--reply-from", "203.0.113.15"));
            servers.Add(StartBadServer(lab, "203.0.113.16:3478", "liar"));
            await Task.Delay(TimeSpan.FromSeconds(1), Ct); // let them bind

            await using var rebound = ReboundProcess.StartInLan(lab,
            [
                "watch", "--server", FailoverLab.Stun1, "--server", FailoverLab.Stun2,
                "--server", "203.0.113.12:3478", "--server", "203.0.113.13:3478",
                "--server", "203.0.113.14:3478", "--server", "203.0.113.16:3478",
                "--interval", "1s", "--timeout", "500ms", "--json",
            ]);

            var started = await rebound.NextEventAsync(EventTimeout, "started", Ct);
            Assert.Equal(FailoverLab.Wan1Address, started.GetString("addresses", "ipv4"));
            await rebound.AssertQuietAsync(TimeSpan.FromSeconds(5), "before failover, with bad servers answering", Ct);

            await lab.FailoverAsync(Ct);
            var over = await rebound.NextEventAsync(EventTimeout, $"public-address-changed to {FailoverLab.Wan2Address}", Ct);
            Assert.Equal("public-address-changed", over.Name);
            Assert.Equal(FailoverLab.Wan2Address, over.GetString("new"));
            await rebound.AssertQuietAsync(TimeSpan.FromSeconds(4), "after failover", Ct);

            await lab.FailbackAsync(Ct);
            var back = await rebound.NextEventAsync(EventTimeout, $"public-address-changed back to {FailoverLab.Wan1Address}", Ct);
            Assert.Equal(FailoverLab.Wan1Address, back.GetString("new"));
            await rebound.AssertQuietAsync(TimeSpan.FromSeconds(4), "after failback", Ct);

            // The liar was heard (its claim is in the evidence) and outvoted each time.
            Assert.Contains(Claimed, over.Line, StringComparison.Ordinal);
            Assert.Contains(Claimed, back.Line, StringComparison.Ordinal);
            Assert.NotEqual(Claimed, over.GetString("new"));
            Assert.DoesNotContain("\"ambiguous\"", over.Line, StringComparison.Ordinal);
            Assert.DoesNotContain("\"ambiguous\"", back.Line, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var p in servers)
            {
                if (!p.HasExited)
                {
                    p.Kill(entireProcessTree: true);
                }

                p.Dispose();
            }
        }
    }

    private static Process StartBadServer(FailoverLab lab, string listen, string mode, params string[] extra)
    {
        var psi = new ProcessStartInfo("ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in (string[])["netns", "exec", lab.InternetNamespace, "dotnet", LabTools, "bad-stun", "--listen", listen, "--mode", mode, "--claim", $"{Claimed}:40000", .. extra])
        {
            psi.ArgumentList.Add(a);
        }

        return Process.Start(psi) ?? throw new InvalidOperationException($"could not start bad-stun {mode}");
    }
}
