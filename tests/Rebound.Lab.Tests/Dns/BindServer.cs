using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Rebound.Act.Ddns.Rfc2136;
using Rebound.Lab.Tests.Harness;

namespace Rebound.Lab.Tests.Dns;

/// <summary>
/// A throw-away BIND primary for zone home.test on 127.0.0.1 and a free port, running unprivileged
/// from a temp directory (no /etc/bind). Keys come from the real tsig-keygen. Disposing kills named
/// and deletes the directory.
/// </summary>
internal sealed class BindServer : IAsyncDisposable
{
    public const string KeyName = "rebound-key";
    public const string ReadOnlyKeyName = "readonly-key";

    public const string ZoneText = """
        $TTL 300
        @     IN SOA ns.home.test. admin.home.test. 1 3600 600 86400 300
              IN NS  ns.home.test.
        ns    IN A   127.0.0.1
        gw    IN A   192.0.2.10
        gw    IN TXT "gateway"
        mail  IN A   192.0.2.25
        mail  IN MX  10 mail.home.test.
        www   IN CNAME gw.home.test.
        v6    IN AAAA 2001:db8::10
        @     IN TXT "v=spf1 -all"
        """;

    private static readonly string[] s_searchPath = ["/usr/sbin", "/usr/bin", "/sbin", "/bin"];

    private readonly DirectoryInfo _dir;
    private readonly StringBuilder _log = new();
    private Process? _named;

    private BindServer(DirectoryInfo dir) => _dir = dir;

    public static DnsName Zone { get; } = DnsName.Parse("home.test");

    public IPEndPoint EndPoint { get; private set; } = new(IPAddress.Loopback, 0);

    /// <summary>The key from tsig-keygen, read with our key-file parser; update-policy grants it zonesub ANY.</summary>
    public TsigKey Key { get; private set; } = null!;

    /// <summary>A key the server knows but update-policy does not grant anything.</summary>
    public TsigKey ReadOnlyKey { get; private set; } = null!;

    public string Log
    {
        get
        {
            lock (_log)
                return _log.ToString();
        }
    }

    /// <summary>Skips the test when BIND is missing, unless REBOUND_REQUIRE_LAB=1 (then it fails).</summary>
    public static void RequireBind()
    {
        var missing = new[] { "named", "tsig-keygen", "dig" }.Where(tool => Find(tool) is null).ToList();
        if (missing.Count == 0)
            return;
        var why = $"{string.Join(", ", missing)} not installed (apt-get install bind9 bind9-dnsutils, or scripts/install-deps)";
        if (LabEnvironment.LabRequired)
            Assert.Fail($"REBOUND_REQUIRE_LAB=1 but {why}");
        Assert.Skip(why);
    }

    public static async Task<BindServer> StartAsync(string algorithm = "hmac-sha256", CancellationToken cancellationToken = default)
    {
        RequireBind();
        var server = new BindServer(Directory.CreateTempSubdirectory("rebound-bind-"));
        try
        {
            await server.StartCoreAsync(algorithm, cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private async Task StartCoreAsync(string algorithm, CancellationToken cancellationToken)
    {
        var keyText = await RunAsync("tsig-keygen", ["-a", algorithm, KeyName], cancellationToken);
        var readOnlyText = await RunAsync("tsig-keygen", ["-a", "hmac-sha256", ReadOnlyKeyName], cancellationToken);
        Key = TsigKeyFile.ParseSingle(keyText);
        ReadOnlyKey = TsigKeyFile.ParseSingle(readOnlyText);
        await File.WriteAllTextAsync(Path.Combine(_dir.FullName, "keys.conf"), keyText + readOnlyText, cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(_dir.FullName, "home.test.zone"), ZoneText + "\n", cancellationToken);

        for (int attempt = 1; ; attempt++)
        {
            EndPoint = new IPEndPoint(IPAddress.Loopback, FreePort());
            await File.WriteAllTextAsync(Path.Combine(_dir.FullName, "named.conf"), Config(EndPoint.Port), cancellationToken);
            if (await TryLaunchAsync(cancellationToken))
                return;
            if (attempt == 5)
                throw new InvalidOperationException($"named did not start after {attempt} attempts; last log:\n{Log}");
        }
    }

    private string Config(int port)
    {
        string dir = _dir.FullName;
        return $$"""
            include "{{dir}}/keys.conf";
            options {
                directory "{{dir}}";
                pid-file none;
                session-keyfile "{{dir}}/session.key";
                listen-on port {{port}} { 127.0.0.1; };
                listen-on-v6 { none; };
                recursion no;
                dnssec-validation no;
                notify no;
                allow-transfer { 127.0.0.1; };
            };
            controls { };
            zone "home.test" {
                type primary;
                file "{{dir}}/home.test.zone";
                update-policy { grant {{KeyName}} zonesub ANY; };
            };
            """;
    }

    /// <summary>Starts named and waits until it answers; false when it died (port taken), so the caller retries.</summary>
    private async Task<bool> TryLaunchAsync(CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(Find("named")!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-g", "-c", Path.Combine(_dir.FullName, "named.conf") })
            start.ArgumentList.Add(arg);
        var named = new Process { StartInfo = start };
        named.OutputDataReceived += (_, e) => Append(e.Data);
        named.ErrorDataReceived += (_, e) => Append(e.Data);
        named.Start();
        named.BeginOutputReadLine();
        named.BeginErrorReadLine();
        _named = named;

        var probe = new Rfc2136Client(new Rfc2136ClientOptions { Server = EndPoint, Timeout = TimeSpan.FromMilliseconds(200), Retries = 0 });
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            if (named.HasExited)
            {
                await named.WaitForExitAsync(cancellationToken);
                named.Dispose();
                _named = null;
                return false;
            }

            var answer = await probe.QueryAsync(Zone, DnsRecordType.Soa, cancellationToken);
            if (answer.Succeeded && answer.Response!.Answers.Any(a => a.Soa is not null))
                return true;
            await Task.Delay(50, cancellationToken);
        }

        throw new TimeoutException($"named did not answer within 15 s; log:\n{Log}");
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_log)
            _log.AppendLine(line);
    }

    /// <summary>dig against this server; returns stdout.</summary>
    public Task<string> DigAsync(params string[] args) =>
        RunAsync("dig", ["@127.0.0.1", "-p", EndPoint.Port.ToString(), .. args], TestContext.Current.CancellationToken);

    /// <summary>
    /// The zone via AXFR as normalized lines ("name ttl class type rdata"), sorted, with the SOA
    /// serial replaced by "SERIAL" so that its (expected) increment does not count as a change.
    /// </summary>
    public async Task<List<string>> AxfrAsync()
    {
        var text = await DigAsync("home.test", "AXFR", "+nocmd", "+nostats", "+nocomments");
        var lines = new List<string>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith(';'))
                continue;
            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 6 && fields[3] == "SOA")
                fields[6] = "SERIAL";
            lines.Add(string.Join(' ', fields));
        }

        Assert.True(lines.Count > 5, $"AXFR returned too little:\n{text}");
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    public async Task<uint> SerialAsync()
    {
        var text = await DigAsync("home.test", "SOA", "+short");
        return uint.Parse(text.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2]);
    }

    private static int FreePort()
    {
        for (int attempt = 0; ; attempt++)
        {
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            int port = ((IPEndPoint)udp.LocalEndPoint!).Port;
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                tcp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException) when (attempt < 50)
            {
            }
        }
    }

    private static string? Find(string tool) =>
        s_searchPath.Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            .Select(dir => Path.Combine(dir, tool))
            .FirstOrDefault(File.Exists);

    private static async Task<string> RunAsync(string tool, string[] args, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(Find(tool) ?? tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var output = await stdout;
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{tool} {string.Join(' ', args)} exited {process.ExitCode}: {await stderr}");
        return output;
    }

    public async ValueTask DisposeAsync()
    {
        if (_named is { } named)
        {
            try
            {
                if (!named.HasExited)
                {
                    named.Kill(entireProcessTree: true);
                    await named.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
                }
            }
            catch (InvalidOperationException)
            {
                // already gone
            }
            finally
            {
                named.Dispose();
            }
        }

        try
        {
            _dir.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
