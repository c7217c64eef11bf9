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
}
