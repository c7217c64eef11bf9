using System.Net;
using System.Net.Sockets;
using System.Text;
using Rebound.Lab.Tests.Harness;
using Rebound.Transport;

namespace Rebound.Lab.Tests.Heal;

/// <summary>
/// reset-tcp end to end: a long-lived TCP connection (a long-poll client) from the LAN host to 203.0.113.40:8080,
/// through a router that pins it to the dead WAN. Stock: a request on it is never answered and no error comes
/// (TCP retries for minutes). With <c>rebound run</c> and <c>reset_tcp_ports = [8080]</c>: the connection is destroyed
/// (SOCK_DESTROY), its owner sees the error at once, and its reconnect leaves by the live WAN.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ResetTcpLabTests(ITestOutputHelper output)
{
    private const int Port = 8080;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Stock_long_lived_tcp_connection_hangs_silently_after_a_pinned_failover()
    {
        await using var lab = await FailoverLab.StartAsync(LabMode.Pinned, Ct);
        using var server = await ListenAsync(lab);
        using var client = Connect(lab);
        using var accepted = await server.AcceptAsync(Ct);
        Assert.Equal("hello", await RoundTripAsync(client, accepted, "hello"));

        await lab.FailoverAsync(Ct);
        await client.SendAsync(Encoding.ASCII.GetBytes("after"), Ct);
        var read = client.ReceiveAsync(new byte[64], Ct).AsTask();

        Assert.NotSame(read, await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(10), Ct)));
        Assert.Equal(0, accepted.Available); // nothing of "after" reached the server
    }

    [Fact]
    public async Task Rebound_run_destroys_the_dead_connection_and_the_client_reconnects_through_the_live_wan()
    {
        await using var lab = await FailoverLab.StartAsync(LabMode.Pinned, Ct);
        using var server = await ListenAsync(lab);
        using var client = Connect(lab);
        using var accepted = await server.AcceptAsync(Ct);
        Assert.Equal("hello", await RoundTripAsync(client, accepted, "hello"));
        Assert.Equal(FailoverLab.Wan1Address, ((IPEndPoint)accepted.RemoteEndPoint!).Address.ToString());
        var local = (IPEndPoint)client.LocalEndPoint!;
        var state = Directory.CreateTempSubdirectory("rebound-reset-lab-").FullName;
        try
        {
            var config = FlowHealLabTests.WriteConfig(state, $"""
                [[flow]]
                name = "longpoll"
                reset_tcp_ports = [{Port}]
                """);
            await using var rebound = ReboundProcess.StartInLan(lab, ["run", "--config", config, "--json"]);
            await rebound.WaitForAsync(e => e.Name == "started", TimeSpan.FromSeconds(20), "started", Ct);
            var pending = client.ReceiveAsync(new byte[64], Ct).AsTask(); // the long poll, waiting for the server

            await lab.FailoverAsync(Ct);
            var reset = await rebound.WaitForAsync(e => e.Name == "heal-step" && e.GetString("action") == "reset-tcp", TimeSpan.FromSeconds(20), "reset-tcp step", Ct);
            output.WriteLine(reset.Line);
            Assert.Equal("done", reset.GetString("result"));
            Assert.Matches($@"^destroyed 1: tcp {Regex(local.ToString())} -> 203\.0\.113\.40:{Port} \(pid {Environment.ProcessId} \([^)]+\), silent [0-9.]+ s\)$", reset.GetString("detail"));
            var error = await Assert.ThrowsAsync<SocketException>(() => pending.WaitAsync(TimeSpan.FromSeconds(2), Ct));
            Assert.Equal(SocketError.ConnectionAborted, error.SocketErrorCode);
            var verified = await rebound.WaitForAsync(e => e.Name == "heal-verified" && e.GetString("target") == "flow:longpoll", TimeSpan.FromSeconds(20), "heal-verified", Ct);
            Assert.Equal("reset-tcp", verified.GetString("action"));

            using var again = Connect(lab);
            using var acceptedAgain = await server.AcceptAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(5), Ct);
            Assert.Equal("again", await RoundTripAsync(again, acceptedAgain, "again"));
            Assert.Equal(FailoverLab.Wan2Address, ((IPEndPoint)acceptedAgain.RemoteEndPoint!).Address.ToString());
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }

    private static string Regex(string text) => System.Text.RegularExpressions.Regex.Escape(text);

    private static async Task<Socket> ListenAsync(FailoverLab lab)
    {
        await lab.ExecAsync("internet", ["ip", "addr", "replace", $"{UdpEchoFlow.ServerAddress}/32", "dev", "lo"], Ct);
        return NetworkNamespace.Run($"/var/run/netns/{lab.InternetNamespace}", () =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            s.Bind(new IPEndPoint(IPAddress.Parse(UdpEchoFlow.ServerAddress), Port));
            s.Listen();
            return s;
        });
    }

    private static Socket Connect(FailoverLab lab) =>
        NetworkNamespace.Run($"/var/run/netns/{lab.LanNamespace}", () =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            s.Connect(new IPEndPoint(IPAddress.Parse(UdpEchoFlow.ServerAddress), Port));
            return s;
        });

    private static async Task<string> RoundTripAsync(Socket client, Socket accepted, string text)
    {
        await client.SendAsync(Encoding.ASCII.GetBytes(text), Ct);
        var buffer = new byte[64];
        var n = await accepted.ReceiveAsync(buffer, Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(3), Ct);
        await accepted.SendAsync(buffer.AsMemory(0, n), Ct);
        n = await client.ReceiveAsync(buffer, Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(3), Ct);
        return Encoding.ASCII.GetString(buffer, 0, n);
    }
}
