using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text;
using Rebound.Act.Heal;
using Rebound.Act.Hooks;
using Rebound.Configuration;
using Rebound.Record;

namespace Rebound.Tests.Act.Hooks;

[SupportedOSPlatform("linux")]
public sealed class HookRunnerTests : IDisposable
{
    private static readonly DateTimeOffset At = new(2026, 11, 26, 4, 40, 0, 123, TimeSpan.Zero);
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("rebound-hooks-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string Script(string name, string body)
    {
        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private static HookConfig Command(int index, string[] events, TimeSpan? timeout = null, params string[] argv) =>
        new(index, 1, events, argv, null, timeout ?? TimeSpan.FromSeconds(10));

    private static RecordedEvent Verified() => Recorded(new HealVerified(At, "wireguard:wg0", HealActionKind.Rebind, 2140, "handshake 1 s ago"));

    private static RecordedEvent Recorded(ReboundEvent e) => Assert.Single(EventCatalogue.Record(e));

    private static async Task UntilAsync(Func<bool> condition, int seconds = 15)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(seconds))
                throw new TimeoutException("condition not reached");
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }

    private static List<HookEvent> Drain(HookRunner runner)
    {
        var list = new List<HookEvent>();
        while (runner.Events.TryRead(out var e))
            list.Add(e);
        return list;
    }

    [Fact]
    public void Field_names_become_upper_snake_variables()
    {
        Assert.Equal("REBOUND_ELAPSED_MS", HookEnvironment.VariableName("elapsedMs"));
        Assert.Equal("REBOUND_RETRY_IN_SECONDS", HookEnvironment.VariableName("retryInSeconds"));
        Assert.Equal("REBOUND_TIME", HookEnvironment.VariableName("time"));
        Assert.Equal("REBOUND_IPV4", HookEnvironment.VariableName("ipv4"));
        Assert.Equal("REBOUND_A_B", HookEnvironment.VariableName("a-b"));
        Assert.Null(HookEnvironment.VariableName("--"));

        var env = HookEnvironment.For("heal-verified", "wireguard:wg0", Verified().Json, null);
        Assert.Equal("2140", env["REBOUND_ELAPSED_MS"]);
        Assert.Equal("heal-verified", env["REBOUND_EVENT"]);
        Assert.Equal(HookEnvironment.DefaultPath, env["PATH"]);
        Assert.False(env.ContainsKey("REBOUND_EVIDENCE")); // an array, not a scalar
        Assert.Equal(["PATH", "REBOUND_ACTION", "REBOUND_ELAPSED_MS", "REBOUND_EVENT", "REBOUND_TARGET", "REBOUND_TIME"], env.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_command_hook_gets_the_event_json_on_stdin_and_the_fields_as_variables_but_not_the_agents_environment()
    {
        Environment.SetEnvironmentVariable("REBOUND_TEST_SECRET_TOKEN", "s3cr3t");
        var output = Path.Combine(_dir.FullName, "out");
        var script = Script("hook.sh", $"""
            cat > "{output}.json"
            env > "{output}.env"
            echo "$1" > "{output}.arg"
            """);
        using var runner = new HookRunner([Command(0, ["heal-verified"], null, script, "first arg with spaces")]);
        using var stop = new CancellationTokenSource();
        var run = runner.RunAsync(stop.Token);

        runner.OnEvent(Recorded(new HealStep(At, "wireguard:wg0", HealActionKind.Keepalive, HealStepResult.Done, 1, "sent"))); // not wanted
        var recorded = Verified();
        runner.OnEvent(recorded);
        await UntilAsync(() => File.Exists(output + ".arg") && runner.IsIdle);
        await stop.CancelAsync();
        await run;

        Assert.Equal(recorded.Json + "\n", await File.ReadAllTextAsync(output + ".json", TestContext.Current.CancellationToken));
        var env = (await File.ReadAllLinesAsync(output + ".env", TestContext.Current.CancellationToken)).ToHashSet();
        Assert.Contains("REBOUND_EVENT=heal-verified", env);
        Assert.Contains("REBOUND_TIME=2026-11-26T04:40:00.123Z", env);
        Assert.Contains("REBOUND_TARGET=wireguard:wg0", env);
        Assert.Contains("REBOUND_ACTION=rebind", env);
        Assert.Contains("REBOUND_ELAPSED_MS=2140", env);
        Assert.DoesNotContain(env, line => line.Contains("s3cr3t", StringComparison.Ordinal));
        Assert.Equal("first arg with spaces\n", await File.ReadAllTextAsync(output + ".arg", TestContext.Current.CancellationToken));
        Assert.Empty(Drain(runner));
        Environment.SetEnvironmentVariable("REBOUND_TEST_SECRET_TOKEN", null);
    }

    [Fact]
    public async Task A_hanging_hook_is_killed_with_its_children_at_its_timeout_and_reported()
    {
        var pidFile = Path.Combine(_dir.FullName, "child.pid");
        // The child outlives the shell unless the whole tree is killed.
        var script = Script("hang.sh", $"""
            sleep 300 &
            echo $! > "{pidFile}"
            wait
            """);
        using var runner = new HookRunner([Command(0, ["*"], TimeSpan.FromMilliseconds(700), script)]);
        using var stop = new CancellationTokenSource();
        var run = runner.RunAsync(stop.Token);
        var watch = Stopwatch.StartNew();

        runner.OnEvent(Verified());
        HookFailed? failed = null;
        await UntilAsync(() => (failed ??= Drain(runner).OfType<HookFailed>().FirstOrDefault()) is not null);
        watch.Stop();

        Assert.True(failed!.TimedOut);
        Assert.Equal(("heal-verified", 0, "timed out after 700ms; killed with its children"), (failed.ForEvent, failed.Hook, failed.Error));
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(600), TimeSpan.FromSeconds(8));
        var child = int.Parse(await File.ReadAllTextAsync(pidFile, TestContext.Current.CancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        await UntilAsync(() => !Directory.Exists($"/proc/{child}") || File.ReadAllText($"/proc/{child}/stat").Split(' ')[2] == "Z", 5);
        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task A_hook_that_exits_0_has_its_background_children_killed()
    {
        var pidFile = Path.Combine(_dir.FullName, "background.pid");
        var script = Script("detach.sh", $"""
            sleep 300 &
            echo $! > "{pidFile}"
            exit 0
            """);
        using var runner = new HookRunner([Command(0, ["*"], null, script)]);
        using var stop = new CancellationTokenSource();
        var run = runner.RunAsync(stop.Token);

        runner.OnEvent(Verified());
        await UntilAsync(() => File.Exists(pidFile) && runner.IsIdle);
        await stop.CancelAsync();
        await run;

        Assert.Empty(Drain(runner)); // exit 0: no failure
        var child = int.Parse(await File.ReadAllTextAsync(pidFile, TestContext.Current.CancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        await UntilAsync(() => !Directory.Exists($"/proc/{child}") || File.ReadAllText($"/proc/{child}/stat").Split(' ')[2] == "Z");
    }

    [Fact]
    public async Task Failures_are_isolated_a_failing_hook_is_reported_and_the_others_still_run()
    {
        var marker = Path.Combine(_dir.FullName, "ran");
        var fail = Script("fail.sh", "exit 3");
        var ok = Script("ok.sh", $"echo ok >> \"{marker}\"");
        using var runner = new HookRunner(
        [
            Command(0, ["*"], null, fail),
            Command(1, ["*"], null, Path.Combine(_dir.FullName, "missing")),
            Command(2, ["*"], null, ok),
        ]);
        using var stop = new CancellationTokenSource();
        var run = runner.RunAsync(stop.Token);

        runner.OnEvent(Verified());
        runner.OnEvent(Verified());
        var events = new List<HookEvent>();
        await UntilAsync(() =>
        {
            events.AddRange(Drain(runner));
            return events.Count == 4 && runner.IsIdle;
        });
        await stop.CancelAsync();
        await run;

        Assert.Equal(2, (await File.ReadAllLinesAsync(marker, TestContext.Current.CancellationToken)).Length);
        var failures = events.OfType<HookFailed>().ToList();
        Assert.Equal([0, 0, 1, 1], failures.Select(f => f.Hook).Order());
        var exit = failures.First(f => f.Hook == 0);
        Assert.Equal((3, false, "exited with code 3"), (exit.ExitCode, exit.TimedOut, exit.Error));
        Assert.StartsWith("cannot start", failures.First(f => f.Hook == 1).Error, StringComparison.Ordinal);
        Assert.Contains("\"exitCode\":3", Recorded(exit).Json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_drain_waits_for_every_queued_event_to_have_run_its_hook()
    {
        var done = Path.Combine(_dir.FullName, "done");
        var script = Script("slow.sh", $"sleep 0.2; echo x >> \"{done}\"");
        using var runner = new HookRunner([Command(0, ["heal-verified"], null, script)]);
        using var stop = new CancellationTokenSource();
        var run = runner.RunAsync(stop.Token);
        Assert.True(runner.DrainAsync(TestContext.Current.CancellationToken).IsCompleted);

        runner.OnEvent(Verified());
        runner.OnEvent(Verified());
        var drained = runner.DrainAsync(TestContext.Current.CancellationToken);
        Assert.False(drained.IsCompleted);
        await drained.WaitAsync(TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken);

        Assert.Equal(2, (await File.ReadAllLinesAsync(done, TestContext.Current.CancellationToken)).Length);
        Assert.True(runner.IsIdle);
        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public void OnEvent_never_blocks_a_full_queue_drops_and_says_so_once()
    {
        // Not running: nothing drains the queue.
        using var runner = new HookRunner([Command(0, ["*"], null, "/bin/true")], new HookRunnerOptions { QueueCapacity = 2 });
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < 1000; i++)
            runner.OnEvent(Verified());
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2));

        Assert.Equal(998, runner.Dropped);
        var dropped = Assert.IsType<HookDropped>(Assert.Single(Drain(runner)));
        Assert.Equal(1, dropped.DroppedTotal);
    }

    [Fact]
    public void The_runners_own_events_never_run_hooks()
    {
        using var runner = new HookRunner([Command(0, ["*"], null, "/bin/true")], new HookRunnerOptions { QueueCapacity = 1 });
        var failed = new HookFailed(At, 0, "hook[0] (/bin/true)", "heal-step", "exited with code 1", 1, false, 3);
        runner.OnEvent(Recorded(failed));
        runner.OnEvent(Recorded(failed));
        Assert.Equal(0, runner.Dropped);
        Assert.True(runner.IsIdle);
    }

    [Fact]
    public async Task A_webhook_posts_the_event_json_with_basic_auth_from_the_url_and_never_reports_the_credentials()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var received = ReceiveOneAsync(listener, "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        var hook = new HookConfig(0, 1, ["heal-verified"], null, new Uri($"http://alice:pa%3Ass@127.0.0.1:{port}/hook?token=zzz"), TimeSpan.FromSeconds(5));
        using var runner = new HookRunner([hook]);
        using var stop = new CancellationTokenSource();
        var run = runner.RunAsync(stop.Token);

        var recorded = Verified();
        runner.OnEvent(recorded);
        var request = await received.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        await UntilAsync(() => runner.IsIdle);
        await stop.CancelAsync();
        await run;

        Assert.StartsWith("POST /hook?token=zzz HTTP/1.1\r\n", request, StringComparison.Ordinal);
        Assert.Contains("Content-Type: application/json; charset=utf-8\r\n", request, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"Authorization: Basic {Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:pa:ss"))}\r\n", request, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\n" + recorded.Json, request, StringComparison.Ordinal);
        Assert.Empty(Drain(runner));
    }

    [Fact]
    public async Task A_webhook_error_answer_or_a_dead_server_is_reported_without_the_url_secrets()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var received = ReceiveOneAsync(listener, "HTTP/1.1 500 Oops\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        using var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var deadPort = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        using var runner = new HookRunner(
        [
            new HookConfig(0, 1, ["*"], null, new Uri($"http://bob:Hunter22@127.0.0.1:{port}/x"), TimeSpan.FromSeconds(5)),
            new HookConfig(1, 5, ["*"], null, new Uri($"http://bob:Hunter22@127.0.0.1:{deadPort}/x"), TimeSpan.FromSeconds(5)),
        ]);
        using var stop = new CancellationTokenSource();
        var run = runner.RunAsync(stop.Token);

        runner.OnEvent(Verified());
        await received.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        var events = new List<HookEvent>();
        await UntilAsync(() =>
        {
            events.AddRange(Drain(runner));
            return events.Count == 2;
        });
        await stop.CancelAsync();
        await run;

        var byHook = events.OfType<HookFailed>().OrderBy(f => f.Hook).ToList();
        Assert.Equal(("answered HTTP 500", 500), (byHook[0].Error, byHook[0].ExitCode));
        Assert.StartsWith("request failed (", byHook[1].Error, StringComparison.Ordinal);
        foreach (var e in events)
        {
            Assert.DoesNotContain("Hunter22", Recorded(e).Json, StringComparison.Ordinal);
            Assert.DoesNotContain("Hunter22", Recorded(e).Text, StringComparison.Ordinal);
        }
    }

    /// <summary>Accepts one connection, reads the request (headers and Content-Length body), answers <paramref name="answer"/>.</summary>
    private static async Task<string> ReceiveOneAsync(TcpListener listener, string answer)
    {
        using var client = await listener.AcceptTcpClientAsync();
        var stream = client.GetStream();
        var buffer = new MemoryStream();
        var chunk = new byte[4096];
        while (true)
        {
            int n = await stream.ReadAsync(chunk);
            if (n == 0)
                break;
            buffer.Write(chunk, 0, n);
            var text = Encoding.UTF8.GetString(buffer.ToArray());
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end < 0)
                continue;
            var lengthLine = text[..end].Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
            var length = lengthLine is null ? 0 : int.Parse(lengthLine.Split(':')[1].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            if (Encoding.UTF8.GetByteCount(text) >= Encoding.UTF8.GetByteCount(text[..(end + 4)]) + length)
                break;
        }

        await stream.WriteAsync(Encoding.ASCII.GetBytes(answer));
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    [Fact]
    public void A_ddns_events_target_is_its_target_id_as_in_the_json_and_the_name_is_rebound_name()
    {
        var published = Assert.Single(EventCatalogue.Record(new Rebound.Act.Ddns.Engine.DdnsUpdated(At, "ddns[0]", "duckdns", ["home.duckdns.org"], IPAddress.Parse("198.51.100.9"), 120, true)));

        var env = HookEnvironment.For(published.Kind, published.Target, published.Json, null);

        Assert.Equal("ddns[0]", env["REBOUND_TARGET"]);
        Assert.Contains("\"target\":\"ddns[0]\"", published.Json, StringComparison.Ordinal);
        Assert.Equal("home.duckdns.org", env["REBOUND_NAME"]);
    }
}
