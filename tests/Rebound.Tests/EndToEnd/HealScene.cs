using System.Globalization;
using System.Net;
using Rebound.Record.Journal;
using Rebound.Tests.Fakes;
using Rebound.Tests.Sense.Stun;

namespace Rebound.Tests.EndToEnd;

/// <summary>
/// What <c>rebound run</c> sees on a host behind a failing-over router, without the network lab: two loopback STUN
/// servers that both report the public address the test chooses, a fake tailscaled on a unix socket, a restart
/// script that "restarts" that fake, and a state directory. Disposing stops the fakes and removes every file.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class HealScene : IAsyncDisposable
{
    /// <summary>The public address before the failover (A) and after it (B); documentation ranges only.</summary>
    public const string AddressA = FakeTailscaled.OldPublic;
    public const string AddressB = FakeTailscaled.NewPublic;

    private readonly FakeStunServer _stun1;
    private readonly FakeStunServer _stun2;
    private volatile IPEndPoint _mapped = new(IPAddress.Parse(AddressA), 40000);

    public HealScene(FakeTailscaledBehaviour behaviour, bool brokenAtStart = false)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("rebound-e2e-").FullName;
        StateDirectory = Path.Combine(Directory, "state");
        Tailscaled = new FakeTailscaled(behaviour, healthyAt: AddressA);
        if (brokenAtStart)
        {
            // Stuck on the path it already had: offline, still advertising A, until its remedy works.
            Tailscaled.PublicAddressChanged(AddressA);
        }

        _stun1 = new FakeStunServer(IPAddress.Loopback, Answer);
        _stun2 = new FakeStunServer(IPAddress.Loopback, Answer);
        RestartLog = Path.Combine(Directory, "restarts.log");
        RestartRunning = Path.Combine(Directory, "restart-running");
    }

    public string Directory { get; }

    public string StateDirectory { get; }

    public FakeTailscaled Tailscaled { get; }

    /// <summary>One line per run of the restart script, never removed: how many restarts were really attempted.</summary>
    public string RestartLog { get; }

    /// <summary>A slow restart script writes its process id here before it sleeps.</summary>
    public string RestartRunning { get; }

    public string JournalPath => Path.Combine(StateDirectory, EventJournal.FileName);

    public int RestartsAttempted => File.Exists(RestartLog) ? File.ReadAllLines(RestartLog).Count(l => l.Length > 0) : 0;

    /// <summary>The failover: both STUN servers report <paramref name="address"/> from their next answer on.</summary>
    public void MapTo(string address) => _mapped = new IPEndPoint(IPAddress.Parse(address), 40001);

    /// <summary>
    /// Writes the restart script (logs itself, asks the fake for a restart, optionally sleeps first) and the
    /// configuration that uses it; returns the configuration's path.
    /// </summary>
    public string WriteConfig(string verifyDeadline = "2s", int maxRestartsPerHour = 3, string? restartSleeps = null,
        string retryBackoffMin = "5s", string retryBackoffMax = "5m")
    {
        var script = Path.Combine(Directory, "restart-tailscaled.sh");
        var sleep = restartSleeps is null ? "" : $"echo $$ > '{RestartRunning}.tmp' && mv '{RestartRunning}.tmp' '{RestartRunning}'\nsleep {restartSleeps}\n";
        File.WriteAllText(script, $"""
            #!/bin/sh
            # Stands in for `systemctl restart tailscaled`: the fake takes the request at its next LocalAPI call.
            echo "restart $$" >> '{RestartLog}'
            {sleep}echo restart >> '{Tailscaled.RestartRequestPath}'

            """.Replace("\r", "", StringComparison.Ordinal));
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var config = Path.Combine(Directory, "rebound.toml");
        File.WriteAllText(config, $"""
            [watch]
            servers = ["127.0.0.1:{_stun1.EndPoint.Port}", "127.0.0.1:{_stun2.EndPoint.Port}"]
            interval = "1s"
            timeout = "500ms"

            [state]
            directory = "{StateDirectory}"

            [http]
            listen = "off"
            control_socket = "off"

            [heal]
            max_restarts_per_hour = {maxRestartsPerHour.ToString(CultureInfo.InvariantCulture)}
            retry_backoff_min = "{retryBackoffMin}"
            retry_backoff_max = "{retryBackoffMax}"

            [tailscale]
            socket = "{Tailscaled.SocketPath}"
            restart_command = ["{script}"]
            verify_deadline = "{verifyDeadline}"

            """);
        return config;
    }

    /// <summary>Every journal entry (read-only, safe while an agent writes).</summary>
    public IReadOnlyList<JournalEntry> Journal()
    {
        using var reader = JournalReader.Open(JournalPath);
        return reader.Query(limit: 100_000);
    }

    /// <summary>Waits until the journal holds an entry matching <paramref name="match"/> (the journal writes in the background).</summary>
    public async Task WaitForJournalAsync(string description, Func<JournalEntry, bool> match)
    {
        var deadline = DateTime.UtcNow + AgentProcess.DefaultWait;
        while (true)
        {
            try
            {
                if (Journal().Any(match))
                    return;
            }
            catch (JournalException)
            {
                // Not created yet.
            }

            if (DateTime.UtcNow > deadline)
                throw new Xunit.Sdk.XunitException($"the journal never held {description}");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Waits until a slow restart script has started; its process id.</summary>
    public async Task<int> WaitForRestartRunningAsync(AgentProcess agent)
    {
        var deadline = DateTime.UtcNow + AgentProcess.DefaultWait;
        while (!File.Exists(RestartRunning))
        {
            if (DateTime.UtcNow > deadline || agent.HasExited)
                throw new Xunit.Sdk.XunitException($"the restart command never started.\n{agent.Transcript()}");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        return int.Parse(File.ReadAllText(RestartRunning).Trim(), CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        KillLeftoverScript();
        await _stun1.DisposeAsync();
        await _stun2.DisposeAsync();
        await Tailscaled.DisposeAsync();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    /// <summary>A sleeping restart script outlives an agent killed with SIGKILL: end it, by its id, if it is still ours.</summary>
    private void KillLeftoverScript()
    {
        if (!File.Exists(RestartRunning) || !int.TryParse(File.ReadAllText(RestartRunning).Trim(), CultureInfo.InvariantCulture, out var pid))
            return;
        try
        {
            var cmdline = File.ReadAllText($"/proc/{pid}/cmdline");
            if (!cmdline.Contains("restart-tailscaled.sh", StringComparison.Ordinal))
                return;
            using var script = System.Diagnostics.Process.GetProcessById(pid);
            script.Kill(entireProcessTree: true);
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or InvalidOperationException or UnauthorizedAccessException)
        {
            // Already gone.
        }
    }

    private Task Answer(FakeStunServer server, ReceivedRequest request) =>
        server.ReplyAsync(request, FakeStunServer.SuccessFor(request, _mapped));
}
