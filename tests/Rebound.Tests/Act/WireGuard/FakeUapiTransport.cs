using System.Globalization;
using System.Net;
using System.Text;
using Rebound.Act.Commands;
using Rebound.Act.WireGuard;

namespace Rebound.Tests.Act.WireGuard;

/// <summary>
/// A fake userspace WireGuard daemon speaking UAPI (https://www.wireguard.com/xplatform/) the way wireguard-go
/// v0.0.20220316 does: get lists the device, set applies key=value lines in order, and turning a peer's persistent
/// keepalive on from 0 sends one keepalive (32 bytes tx) at once.
/// </summary>
internal sealed class FakeUapiTransport : IUapiTransport
{
    public const string PrivateKeyHex = "a8e1c3c3f1e2d4b5a6978877665544332211ffeeddccbbaa9988776655443322";

    public int ListenPort { get; set; } = 51821;

    public List<FakePeer> Peers { get; } = [];

    public List<string> SetRequests { get; } = [];

    public int KeepalivesSent { get; private set; }

    public int? FailSetWithErrno { get; set; }

    public bool Broken { get; set; }

    public ValueTask<byte[]> ExchangeAsync(ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        if (Broken)
            throw new IOException("Connection refused");
        var text = Encoding.ASCII.GetString(request.Span);
        if (text == "get=1\n\n")
            return ValueTask.FromResult(Encoding.ASCII.GetBytes(Get()));
        Assert.StartsWith("set=1\n", text, StringComparison.Ordinal);
        Assert.EndsWith("\n\n", text, StringComparison.Ordinal);
        SetRequests.Add(text);
        if (FailSetWithErrno is { } errno)
            return ValueTask.FromResult(Encoding.ASCII.GetBytes($"errno={errno}\n\n"));
        FakePeer? peer = null;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1))
        {
            var (key, value) = (line[..line.IndexOf('=', StringComparison.Ordinal)], line[(line.IndexOf('=', StringComparison.Ordinal) + 1)..]);
            switch (key)
            {
                case "listen_port":
                    ListenPort = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "public_key":
                    peer = Peers.Single(p => p.Hex == value);
                    break;
                case "update_only":
                    Assert.Equal("true", value);
                    break;
                case "endpoint":
                    peer!.Endpoint = IPEndPoint.Parse(value);
                    break;
                case "persistent_keepalive_interval":
                    var secs = int.Parse(value, CultureInfo.InvariantCulture);
                    if (peer!.Keepalive == 0 && secs != 0)
                    {
                        KeepalivesSent++;
                        peer.Tx += 32;
                    }

                    peer.Keepalive = secs;
                    break;
                default:
                    Assert.Fail($"unexpected set key {key}");
                    break;
            }
        }

        return ValueTask.FromResult("errno=0\n\n"u8.ToArray());
    }

    private string Get()
    {
        var b = new StringBuilder();
        b.Append(CultureInfo.InvariantCulture, $"private_key={PrivateKeyHex}\nlisten_port={ListenPort}\n");
        foreach (var p in Peers)
        {
            b.Append(CultureInfo.InvariantCulture, $"public_key={p.Hex}\npreshared_key={new string('0', 64)}\nprotocol_version=1\n");
            if (p.Endpoint is not null)
                b.Append(CultureInfo.InvariantCulture, $"endpoint={p.Endpoint}\n");
            var hs = p.LastHandshake?.ToUnixTimeMilliseconds() ?? 0;
            b.Append(CultureInfo.InvariantCulture, $"last_handshake_time_sec={hs / 1000}\nlast_handshake_time_nsec={hs % 1000 * 1_000_000}\n");
            b.Append(CultureInfo.InvariantCulture, $"tx_bytes={p.Tx}\nrx_bytes={p.Rx}\npersistent_keepalive_interval={p.Keepalive}\nallowed_ip=10.99.0.1/32\n");
        }

        b.Append("errno=0\n\n");
        return b.ToString();
    }
}

internal sealed class FakePeer(string base64)
{
    public string PublicKey { get; } = base64;

    public string Hex => Convert.ToHexStringLower(Convert.FromBase64String(PublicKey));

    public IPEndPoint? Endpoint { get; set; }

    public DateTimeOffset? LastHandshake { get; set; }

    public long Rx { get; set; }

    public long Tx { get; set; }

    public int Keepalive { get; set; }
}

/// <summary>Answers pings when <see cref="Answer"/> says so; records what was pinged.</summary>
internal sealed class FakeEchoPinger : IEchoPinger
{
    public Func<IPAddress, bool> Answer { get; set; } = _ => true;

    public List<(IPAddress Address, TimeSpan Timeout)> Pings { get; } = [];

    public ValueTask<PingResult> PingAsync(IPAddress address, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Pings.Add((address, timeout));
        return ValueTask.FromResult(Answer(address) ? new PingResult(true, TimeSpan.FromMilliseconds(1.5)) : new PingResult(false, timeout));
    }
}

internal sealed class FakeHostResolver : IHostResolver
{
    public Dictionary<string, IPAddress[]> Answers { get; } = [];

    public List<string> Asked { get; } = [];

    public ValueTask<IReadOnlyList<IPAddress>> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        Asked.Add(host);
        return ValueTask.FromResult<IReadOnlyList<IPAddress>>(Answers.TryGetValue(host, out var a) ? a : []);
    }
}

internal sealed class FakeCommandRunner : ICommandRunner
{
    public int ExitCode { get; set; }

    public List<IReadOnlyList<string>> Ran { get; } = [];

    /// <summary>What the command does to the world (e.g. a restarted interface's counters start from zero).</summary>
    public Action? OnRun { get; set; }

    public ValueTask<CommandResult> RunAsync(CommandRequest request, CancellationToken cancellationToken)
    {
        Ran.Add(request.Argv);
        OnRun?.Invoke();
        return ValueTask.FromResult(new CommandResult(ExitCode, "", ExitCode == 0 ? "" : "Job for wg-quick@wg0.service failed.\n", false));
    }
}
