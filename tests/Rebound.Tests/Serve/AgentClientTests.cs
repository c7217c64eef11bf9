using System.Net;
using System.Net.Sockets;
using Rebound.Cli.Serve;
using Rebound.Record.Metrics;
using Rebound.Record.Status;
using static Rebound.Tests.Record.Status.SyntheticEvents;

namespace Rebound.Tests.Serve;

public class AgentClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Reads_status_over_the_control_socket_and_over_tcp()
    {
        var directory = Directory.CreateTempSubdirectory("rebound-client-");
        try
        {
            var board = new StatusBoard("9", TimeProvider.System);
            board.OnEvent(Started(T0, "198.51.100.7"));
            var options = new AgentHttpServerOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0), ControlSocket = Path.Combine(directory.FullName, "c.sock") };
            await using var server = new AgentHttpServer(options, board, new MetricsRegistry("9"), null, TimeProvider.System);
            await server.StartAsync(Ct);

            var viaSocket = await AgentClient.GetAsync(options, "status.json", Ct);
            var viaTcp = await AgentClient.GetAsync(new AgentHttpServerOptions { Listen = server.LocalEndPoint }, "status.txt", Ct);

            Assert.Equal("198.51.100.7", StatusJson.Parse(viaSocket).Families[0].Address);
            Assert.Contains("ipv4: 198.51.100.7", viaTcp, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task No_agent_is_a_one_line_error()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var unused = (IPEndPoint)probe.LocalEndPoint!;
        probe.Dispose();

        var error = await Assert.ThrowsAsync<AgentUnreachableException>(() =>
            AgentClient.GetAsync(new AgentHttpServerOptions { Listen = unused, ControlSocket = "/nonexistent/rebound.sock" }, "status.json", Ct));

        Assert.StartsWith($"no agent answers at {unused} (", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task A_tcp_squatter_run_by_another_user_is_not_believed()
    {
        if (Environment.UserName != "root")
            Assert.Skip("needs root to run the squatter as another user");
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)probe.LocalEndPoint!).Port;
        probe.Dispose();
        // A real process of uid 65534 answering a fake status with an escape sequence, as the squatter in the issue did.
        const string Fake = "import socket\ns=socket.socket();s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1);s.bind(('127.0.0.1',PORT));s.listen(8)\nprint('ready',flush=True)\nwhile True:\n c,_=s.accept();c.recv(4096);c.sendall(b'HTTP/1.1 200 OK\\r\\nContent-Length: 18\\r\\nConnection: close\\r\\n\\r\\n\\x1b[2Jall is well ok\\n');c.close()\n";
        using var squatter = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c", Fake.Replace("PORT", port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)])
        {
            RedirectStandardOutput = true,
        })!;
        try
        {
            Assert.Equal("ready", await squatter.StandardOutput.ReadLineAsync(Ct));

            var error = await Assert.ThrowsAsync<AgentUnreachableException>(() => AgentClient.GetAsync(new AgentHttpServerOptions { Listen = new IPEndPoint(IPAddress.Loopback, port) }, "status.txt", Ct));

            Assert.Contains("belongs to uid 65534", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            squatter.Kill();
        }
    }

    [Theory]
    [InlineData("\u001b[2Jok\n", "[2Jok\n")]
    [InlineData("a\rb\tc\u009b31m\u0007", "ab\tc31m")]
    [InlineData("plain\ntext\n", "plain\ntext\n")]
    public void Printed_text_loses_its_control_characters(string raw, string printed) =>
        Assert.Equal(printed, PrintableText.Clean(raw));
}
