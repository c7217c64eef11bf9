using Rebound.Lab.Tests.Harness;

namespace Rebound.Lab.Tests.Tailscale;

/// <summary>
/// Keeps the fake tailscaled honest: through the real lab router, after a failover that pins its flows (static SNAT),
/// it behaves as tailscaled's source says the real one does. Its LocalAPI <c>rebind</c> keeps port 41641, so the direct
/// path stays dead; its DERP and control connections look alive (Online) until their 120 s deadlines; a restart
/// brings DERP and control back (new TCP flows) but not the direct path (41641 again).
/// </summary>
public sealed class FakeTailscaledLabTests(ITestOutputHelper output)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Fake_tailscaled_keeps_its_pinned_direct_path_across_rebind_and_restart()
    {
        await using var lab = await FailoverLab.StartAsync(LabMode.Pinned, Ct);
        await using var tailnet = await FakeTailnet.StartAsync(lab, cancellationToken: Ct);
        await using var daemon = await FakeTailscaled.StartAsync(lab);
        Assert.Equal($"{FailoverLab.Wan1Address}:{FakeTailscaled.Port}", tailnet.LastPingFrom?.ToString()); // static SNAT keeps the port

        await lab.FailoverAsync(Ct);
        // The direct path is gone once no pong came for 6.5 s; control still counts as online (its deadline is 120 s).
        var lost = await daemon.WaitUntilAsync(s => !s.Direct, TimeSpan.FromSeconds(10));
        Assert.NotNull(lost);
        Assert.True(lost.ControlOnline);
        Assert.True(lost.DerpConnected);

        using (var http = LocalApi(daemon))
        {
            var rebind = await http.PostAsync("http://local-tailscaled.sock/localapi/v0/debug?action=rebind", null, Ct);
            Assert.True(rebind.IsSuccessStatusCode);
        }

        Assert.Null(await daemon.WaitUntilAsync(s => s.Direct, TimeSpan.FromSeconds(8)));
        Assert.Equal($"{FailoverLab.Wan1Address}:{FakeTailscaled.Port}", tailnet.LastPingFrom?.ToString()); // never heard from WAN2

        var accepted = tailnet.Accepted.Count;
        await daemon.RestartAsync();
        var restarted = await daemon.WaitUntilAsync(s => s.ControlOnline && s.DerpConnected, TimeSpan.FromSeconds(10));
        Assert.NotNull(restarted);
        Assert.Contains(tailnet.Accepted.Skip(accepted), a => a.StartsWith("control 192.0.2.2:", StringComparison.Ordinal)); // a new TCP flow takes WAN2
        Assert.Null(await daemon.WaitUntilAsync(s => s.Direct, TimeSpan.FromSeconds(8)));
        output.WriteLine(string.Join("; ", daemon.Actions));
    }

    private static HttpClient LocalApi(FakeTailscaled daemon) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, ct) =>
        {
            var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
            await socket.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(daemon.SocketPath), ct);
            return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
        },
    });
}
