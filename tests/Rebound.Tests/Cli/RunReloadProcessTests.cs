using System.Diagnostics;
using System.Threading.Channels;

namespace Rebound.Tests.Cli;

/// <summary><c>rebound run</c> as a real process receiving real signals: SIGHUP reloads, SIGTERM stops.</summary>
public sealed class RunReloadProcessTests : IDisposable
{
    private static string ReboundDll => Path.Combine(AppContext.BaseDirectory, "rebound.dll");

    private readonly string _dir = Directory.CreateTempSubdirectory("rebound-reload-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // 127.0.0.1:9 (discard) never answers: the watcher runs and reports the upstream lost, nothing else is needed.
    private string Config(string interval) => $"""
        [watch]
        servers = ["127.0.0.1:9"]
        interval = "{interval}"
        timeout = "200ms"

        [state]
        directory = "{_dir}/state"

        [http]
        listen = "off"
        """;

    [Fact]
    public async Task Sighup_with_an_invalid_file_keeps_running_and_a_valid_one_restarts_the_session()
    {
        var ct = TestContext.Current.CancellationToken;
        var config = Path.Combine(_dir, "rebound.toml");
        await File.WriteAllTextAsync(config, Config("1s"), ct);
        using var p = Process.Start(new ProcessStartInfo("dotnet", [ReboundDll, "run", "--config", config, "--json"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var lines = Channel.CreateUnbounded<string>();
        var stderr = new System.Text.StringBuilder();
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stderr)
                {
                    stderr.AppendLine(e.Data);
                }
            }
        };
        p.BeginErrorReadLine();
        var pump = Task.Run(async () =>
        {
            while (await p.StandardOutput.ReadLineAsync(ct) is { } line)
            {
                lines.Writer.TryWrite(line);
            }

            lines.Writer.TryComplete();
        }, ct);

        try
        {
            try
            {
                await WaitForAsync(lines, "\"event\":\"started\"", ct);
            }
            catch (InvalidOperationException ex)
            {
                await p.WaitForExitAsync(ct);
                lock (stderr)
                {
                    throw new InvalidOperationException($"{ex.Message}; exit {p.ExitCode}; stderr: {stderr}", ex);
                }
            }

            await File.WriteAllTextAsync(config, "[watch]\ninterval = \"soon\"\n", ct);
            Signal(p, "HUP");
            var rejected = await WaitForAsync(lines, "\"event\":\"config-rejected\"", ct);
            Assert.Contains("still running the previous configuration", rejected, StringComparison.Ordinal);
            // The journaled event says what was wrong, with FILE:LINE, not "see above".
            Assert.Contains($"{config}:2: watch.interval: expected", rejected, StringComparison.Ordinal);
            Assert.DoesNotContain("problems above", rejected, StringComparison.Ordinal);
            Assert.False(p.HasExited);

            // Nesting past Tomlyn's limit made it throw and the agent exit 1.
            await File.WriteAllTextAsync(config, "[watch]\nservers = " + new string('[', 70) + "\"a\"" + new string(']', 70) + "\n", ct);
            Signal(p, "HUP");
            var deep = await WaitForAsync(lines, "\"event\":\"config-rejected\"", ct);
            Assert.Contains($"{config}:2: arrays and inline tables nested at most 32 deep", deep, StringComparison.Ordinal);
            Assert.False(p.HasExited);

            await File.WriteAllTextAsync(config, Config("2s"), ct);
            Signal(p, "HUP");
            await WaitForAsync(lines, "\"event\":\"config-reloaded\"", ct);
            await WaitForAsync(lines, "\"event\":\"started\"", ct);

            Signal(p, "TERM");
            await p.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromSeconds(20), ct);
            Assert.Equal(0, p.ExitCode);
            lock (stderr)
            {
                Assert.Contains("watch.interval", stderr.ToString(), StringComparison.Ordinal);
                Assert.DoesNotContain("   at ", stderr.ToString(), StringComparison.Ordinal);
            }
        }
        finally
        {
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
            }

            await pump.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    [Theory]
    [InlineData("deep")]
    [InlineData("fifo-key")]
    public async Task A_file_that_used_to_crash_or_hang_run_exits_2_with_file_and_line(string kind)
    {
        var ct = TestContext.Current.CancellationToken;
        var config = Path.Combine(_dir, "rebound.toml");
        var text = Config("1s");
        if (kind == "deep")
        {
            text += "\nx = " + new string('[', 80) + "1" + new string(']', 80) + "\n";
        }
        else
        {
            var fifo = Path.Combine(_dir, "key.fifo");
            using (var mkfifo = Process.Start("mkfifo", [fifo])!)
                await mkfifo.WaitForExitAsync(ct);
            text += $"\n[[ddns]]\nprovider = \"rfc2136\"\nserver = \"127.0.0.1\"\nzone = \"home.test\"\nnames = [\"a.home.test\"]\nkey_file = \"{fifo}\"\n";
        }

        await File.WriteAllTextAsync(config, text, ct);
        using var p = Process.Start(new ProcessStartInfo("dotnet", [ReboundDll, "run", "--config", config])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var stderr = p.StandardError.ReadToEndAsync(ct);
        await p.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromSeconds(30), ct);

        Assert.Equal(2, p.ExitCode);
        Assert.Matches($"^rebound: {System.Text.RegularExpressions.Regex.Escape(config)}:\\d+: ", await stderr);
        Assert.DoesNotContain("   at ", await stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_with_its_http_port_taken_runs_on_and_says_so_once()
    {
        var ct = TestContext.Current.CancellationToken;
        using var squatter = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        squatter.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        squatter.Listen(1);
        var port = ((System.Net.IPEndPoint)squatter.LocalEndPoint!).Port;
        var config = Path.Combine(_dir, "rebound.toml");
        await File.WriteAllTextAsync(config, Config("1s").Replace("listen = \"off\"", $"listen = \"127.0.0.1:{port}\"", StringComparison.Ordinal), ct);
        using var p = Process.Start(new ProcessStartInfo("dotnet", [ReboundDll, "run", "--config", config, "--json"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var stderr = p.StandardError.ReadToEndAsync(ct);
        var lines = Channel.CreateUnbounded<string>();
        var pump = Task.Run(async () =>
        {
            while (await p.StandardOutput.ReadLineAsync(ct) is { } line)
                lines.Writer.TryWrite(line);
            lines.Writer.TryComplete();
        }, ct);
        try
        {
            await WaitForAsync(lines, "\"event\":\"started\"", ct);
            await Task.Delay(1500, ct);
            Assert.False(p.HasExited);
            Signal(p, "TERM");
            await p.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromSeconds(20), ct);
            Assert.Equal(0, p.ExitCode);
            var errors = await stderr;
            Assert.Single(System.Text.RegularExpressions.Regex.Matches(errors, $"http listen 127.0.0.1:{port}"));
            Assert.Contains("retrying every 30s", errors, StringComparison.Ordinal);
        }
        finally
        {
            if (!p.HasExited)
                p.Kill(entireProcessTree: true);
            await pump.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private static void Signal(Process p, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    private static async Task<string> WaitForAsync(Channel<string> lines, string needle, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        await foreach (var line in lines.Reader.ReadAllAsync(timeout.Token))
        {
            if (line.Contains(needle, StringComparison.Ordinal))
            {
                return line;
            }
        }

        throw new InvalidOperationException($"rebound stopped before printing {needle}");
    }
}
