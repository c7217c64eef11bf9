using System.Net;
using System.Net.Sockets;
using Rebound.Lab.Tests.Harness;

namespace Rebound.Lab.Tests.Lab;

/// <summary>
/// Real miniupnpd on the lab router: NAT-PMP's external address and UPnP's GetExternalIPAddress, as a LAN
/// client hears them, follow the uplink across failover and failback; a renumbered WAN is announced to 224.0.0.1.
/// </summary>
public sealed class MiniupnpdLabTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(LabMode.Masquerade)]
    [InlineData(LabMode.Mwan3)]
    [InlineData(LabMode.Renumber)]
    public async Task Gateway_reports_the_current_wan_address(LabMode mode)
    {
        await using var lab = await FailoverLab.StartAsync(mode, Ct);
        var description = await lab.StartMiniupnpdAsync(Ct);
        Assert.Equal(new Uri("http://10.77.0.1:5000/rootDesc.xml"), description);
        Assert.Equal(new GatewayView(FailoverLab.Wan1Address, FailoverLab.Wan1Address), await lab.GatewayExternalAddressAsync(Ct));

        await lab.FailoverAsync(Ct);
        var expected = lab.FailedOverAddress;
        Assert.Equal(new GatewayView(expected, expected), await lab.GatewayExternalAddressAsync(Ct));

        await lab.FailbackAsync(Ct);
        Assert.Equal(new GatewayView(FailoverLab.Wan1Address, FailoverLab.Wan1Address), await lab.GatewayExternalAddressAsync(Ct));
    }

    [Fact]
    public async Task A_renumbered_wan_is_announced_on_the_lan()
    {
        await using var lab = await FailoverLab.StartAsync(LabMode.Renumber, Ct);
        await lab.StartMiniupnpdAsync(Ct);
        using var listener = lab.InNamespace("lan", () =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            s.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            s.Bind(new IPEndPoint(IPAddress.Any, 5350));
            s.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership, new MulticastOption(IPAddress.Parse("224.0.0.1")));
            return s;
        });

        await lab.FailoverAsync(Ct);

        // NAT-PMP announcements (version 0, opcode 128): miniupnpd first repeats the old address when WAN1's
        // address is deleted, then announces the new one once its STUN check has it.
        var announced = new List<string>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        var buffer = new byte[64];
        while (!announced.Contains(FailoverLab.Wan1Renumbered))
        {
            var r = await listener.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), timeout.Token);
            Assert.Equal(IPAddress.Parse(FailoverLab.Gateway), ((IPEndPoint)r.RemoteEndPoint).Address);
            if (r.ReceivedBytes == 12 && buffer[0] == 0 && buffer[1] == 128)
            {
                announced.Add(new IPAddress(buffer.AsSpan(8, 4)).ToString());
            }
        }

        Assert.Equal(FailoverLab.Wan1Renumbered, announced[^1]);
    }
}
