using System.Globalization;

namespace Rebound.Lab.Tests.Harness;

/// <summary>How the lab's router changes its upstream on failover (see lab/lab.sh).</summary>
public enum LabMode
{
    Masquerade,
    Pinned,
    Renumber,
    Blackhole,
}

/// <summary>What a failover/failback did: when the router switched, and the public address expected now.</summary>
public sealed record LabSwitch(DateTimeOffset Time, string? ExpectedPublicAddress);

/// <summary>
/// One failover lab (lab/lab.sh) with a unique id, so tests can run concurrently.
/// Always torn down on dispose, also when the test failed or "up" failed half-way.
/// </summary>
public sealed class FailoverLab : IAsyncDisposable
{
    public const string Wan1Address = "198.51.100.2";
    public const string Wan2Address = "192.0.2.2";
    public const string Wan1Renumbered = "198.51.100.3";
    public const string Stun1 = "203.0.113.10:3478";
    public const string Stun2 = "203.0.113.11:3478";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);
    private bool disposed;

    private FailoverLab(string id, LabMode mode)
    {
        Id = id;
        Mode = mode;
    }

    public string Id { get; }

    public LabMode Mode { get; }

    public string LanNamespace => $"rb{Id}lan";

    public string RouterNamespace => $"rb{Id}rtr";

    public string InternetNamespace => $"rb{Id}net";

    /// <summary>Address the lab's LAN host should see after failover in this mode (null: none, upstream dead).</summary>
    public string? FailedOverAddress => Mode switch
    {
        LabMode.Masquerade or LabMode.Pinned => Wan2Address,
        LabMode.Renumber => Wan1Renumbered,
        _ => null,
    };

    public static string ModeName(LabMode mode) => mode.ToString().ToLowerInvariant();

    /// <summary>Brings a lab up (skipping the test when labs can't run here).</summary>
    public static async Task<FailoverLab> StartAsync(LabMode mode, CancellationToken cancellationToken = default)
    {
        LabEnvironment.RequireLab();
        var lab = new FailoverLab(LabEnvironment.NewLabId(), mode);
        try
        {
            await LabAsync(["up", lab.Id, ModeName(mode)], cancellationToken);
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }

        return lab;
    }

    public Task<LabSwitch> FailoverAsync(CancellationToken cancellationToken = default) =>
        SwitchAsync("failover", cancellationToken);

    public Task<LabSwitch> FailbackAsync(CancellationToken cancellationToken = default) =>
        SwitchAsync("failback", cancellationToken);

    /// <summary>One fresh STUN request from the LAN host; the public address, or null when nothing answered.</summary>
    public async Task<string?> StunAsync(string server = "203.0.113.10", CancellationToken cancellationToken = default)
    {
        var r = await RunLabAsync(["stun", Id, server], cancellationToken);
        var address = r.Stdout.Trim();
        return r.ExitCode == 0 && address.Length > 0 && address != "none" ? address : null;
    }

    /// <summary>Starts BIND on 203.0.113.53 for home.test (lab.sh dns); returns the TSIG key file's path.</summary>
    public async Task<string> StartDnsAsync(CancellationToken cancellationToken = default)
    {
        var r = await RunLabAsync(["dns", Id], cancellationToken);
        Assert.True(r.ExitCode == 0, r.Stderr);
        return r.Stdout.Trim();
    }

    /// <summary>What the lab's authoritative server answers for NAME's A record, asked from the internet.</summary>
    public async Task<string> DigAsync(string name, CancellationToken cancellationToken = default)
    {
        var r = await ExecAsync("internet", ["dig", "+short", "@203.0.113.53", name, "A"], cancellationToken);
        Assert.True(r.ExitCode == 0, r.Stderr);
        return r.Stdout.Trim();
    }

    /// <summary>A rebound.toml that keeps gw.home.test on the public address via RFC 2136 to the lab's BIND.</summary>
    public static string DdnsConfig(string stateDirectory, string keyFile) => $"""
        [watch]
        servers = ["{Stun1}", "{Stun2}"]
        interval = "1s"

        [state]
        directory = "{stateDirectory}"

        [[ddns]]
        provider = "rfc2136"
        server = "203.0.113.53"
        zone = "home.test"
        names = ["gw.home.test"]
        families = ["ipv4"]
        ttl = 60
        key_file = "{keyFile}"
        """;

    /// <summary>Runs a command in one of the lab's namespaces: "lan", "router" or "internet".</summary>
    public Task<CommandResult> ExecAsync(string where, IEnumerable<string> command, CancellationToken cancellationToken = default) =>
        RunLabAsync(["exec", Id, where, .. command], cancellationToken);

    public Task<CommandResult> ExecAsync(string where, params string[] command) =>
        ExecAsync(where, (IEnumerable<string>)command);

    public async Task<string> StatusAsync() => (await LabAsync(["status", Id], default)).Stdout;

    public async ValueTask DisposeAsync()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        await RunLabAsync(["down", Id], CancellationToken.None);
    }

    private async Task<LabSwitch> SwitchAsync(string what, CancellationToken cancellationToken)
    {
        var r = await LabAsync([what, Id], cancellationToken);
        return ParseSwitch(r.Stdout);
    }

    /// <summary>Parses "switched 1764131234.123456789 public 192.0.2.2" (or "public none").</summary>
    public static LabSwitch ParseSwitch(string stdout)
    {
        var line = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .LastOrDefault(l => l.StartsWith("switched ", StringComparison.Ordinal))
            ?? throw new FormatException($"no 'switched' line in lab output: {stdout}");
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 4 || parts[2] != "public")
        {
            throw new FormatException($"unexpected switch line: {line}");
        }

        var seconds = decimal.Parse(parts[1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        var ticks = (long)(seconds * TimeSpan.TicksPerSecond);
        var time = DateTimeOffset.UnixEpoch.AddTicks(ticks);
        return new LabSwitch(time, parts[3] == "none" ? null : parts[3]);
    }

    private static async Task<CommandResult> LabAsync(string[] args, CancellationToken cancellationToken) =>
        (await RunLabAsync(args, cancellationToken)).EnsureSuccess();

    private static Task<CommandResult> RunLabAsync(string[] args, CancellationToken cancellationToken) =>
        ProcessRunner.RunAsync("bash", [LabEnvironment.LabScript, .. args], CommandTimeout, cancellationToken);
}
