using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using Rebound.Act.Ddns.Rfc2136;
using static Rebound.Tests.Act.Ddns.Rfc2136.DnsTestData;

namespace Rebound.Tests.Act.Ddns.Rfc2136;

public sealed class Rfc2136ClientTests
{
    private static readonly byte[] s_secret = Convert.FromBase64String(Secret256);
    private static readonly DnsAddressUpdate[] s_updates = [new(DnsName.Parse("gw.home.test"), IPAddress.Parse("192.0.2.1"))];

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Signed_update_succeeds_and_the_response_signature_is_verified()
    {
        await using var server = new FakeDnsServer(r => [Signed(r, FakeDnsServer.Answer(r))]);
        var result = await Client(server).UpdateAsync(Zone, s_updates, Token);

        Assert.Equal(Rfc2136Status.Success, result.Status);
        Assert.True(result.ResponseVerified);
        Assert.False(result.UsedTcp);
        Assert.Equal(1, result.Transmissions);
        Assert.Equal("zone home.test. updated (1 name)", result.Message);
    }

    [Fact]
    public async Task Truncated_UDP_answer_falls_back_to_TCP()
    {
        await using var server = new FakeDnsServer(r => r.Tcp
            ? [Signed(r, FakeDnsServer.Answer(r))]
            : [FakeDnsServer.Answer(r, truncated: true)]);
        var result = await Client(server).UpdateAsync(Zone, s_updates, Token);

        Assert.Equal(Rfc2136Status.Success, result.Status);
        Assert.True(result.UsedTcp);
        Assert.True(result.ResponseVerified);
        Assert.Equal((1, 1), (server.UdpRequests, server.TcpRequests));
    }

    [Fact]
    public async Task TcpOnly_skips_UDP()
    {
        await using var server = new FakeDnsServer(r => [Signed(r, FakeDnsServer.Answer(r))]);
        var result = await Client(server, tcpOnly: true).UpdateAsync(Zone, s_updates, Token);

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal((0, 1), (server.UdpRequests, server.TcpRequests));
    }

    [Fact]
    public async Task Answers_with_the_wrong_ID_or_opcode_are_ignored()
    {
        await using var server = new FakeDnsServer(r =>
        {
            var wrongId = FakeDnsServer.Answer(r);
            wrongId[0] ^= 0xFF;
            var notResponse = FakeDnsServer.Answer(r);
            notResponse[2] &= 0x7F;
            return [Signed(r, wrongId), notResponse, [1, 2, 3], Signed(r, FakeDnsServer.Answer(r))];
        });
        var result = await Client(server).UpdateAsync(Zone, s_updates, Token);

        Assert.True(result.Succeeded, result.Message);
    }

    [Fact]
    public async Task Unsigned_success_is_rejected()
    {
        await using var server = new FakeDnsServer(r => [FakeDnsServer.Answer(r)]);
        var result = await Client(server, timeout: TimeSpan.FromMilliseconds(200)).UpdateAsync(Zone, s_updates, Token);

        Assert.Equal(Rfc2136Status.TsigError, result.Status);
        Assert.Contains("not signed", result.Message);
        Assert.False(result.Succeeded);
        Assert.Equal(1, result.Transmissions); // reported when the first wait ends, no retransmissions
    }

    [Fact]
    public async Task Success_signed_with_another_secret_is_rejected()
    {
        await using var server = new FakeDnsServer(r => [Signed(r, FakeDnsServer.Answer(r), secret: new byte[32])]);
        var result = await Client(server, timeout: TimeSpan.FromMilliseconds(200)).UpdateAsync(Zone, s_updates, Token);

        Assert.Equal(Rfc2136Status.TsigError, result.Status);
        Assert.Contains("signature does not verify", result.Message);
    }

    [Fact]
    public async Task Forged_answers_before_the_genuine_one_do_not_win()
    {
        await using var server = new FakeDnsServer(r =>
            [FakeDnsServer.Answer(r), Signed(r, FakeDnsServer.Answer(r, rcode: 5), secret: new byte[32]), Signed(r, FakeDnsServer.Answer(r))]);
        var result = await Client(server).UpdateAsync(Zone, s_updates, Token);

        Assert.Equal(Rfc2136Status.Success, result.Status);
        Assert.True(result.ResponseVerified);
    }

    [Fact]
    public async Task BADTIME_mentions_clock_skew_and_the_server_time()
    {
        long serverTime = 1_800_000_000;
        await using var server = new FakeDnsServer(r =>
            [SignResponse(FakeDnsServer.Answer(r, rcode: 9), "rebound-key", "hmac-sha256", s_secret, r.Mac, r.Message.Tsig!.TimeSigned, error: 18, other: U48(serverTime))]);
        var result = await Client(server).UpdateAsync(Zone, s_updates, Token);

        Assert.Equal(Rfc2136Status.TsigError, result.Status);
        Assert.Equal(DnsRcode.BadTime, result.Rcode);
        Assert.Contains("BADTIME: clock skew", result.Message);
        Assert.Contains("2027-01-15 08:00:00Z", result.Message);
        Assert.True(result.ResponseVerified);
    }

    [Fact]
    public async Task Forged_BADTIME_is_not_trusted()
    {
        await using var server = new FakeDnsServer(r =>
            [SignResponse(FakeDnsServer.Answer(r, rcode: 9), "rebound-key", "hmac-sha256", new byte[32], r.Mac, r.Message.Tsig!.TimeSigned, error: 18, other: U48(1_800_000_000))]);
        var result = await Client(server, timeout: TimeSpan.FromMilliseconds(200)).UpdateAsync(Zone, s_updates, Token);

        Assert.Equal(Rfc2136Status.TsigError, result.Status);
        Assert.EndsWith("(response signature did not verify)", result.Message);
        Assert.False(result.ResponseVerified);
    }

    [Theory]
    [InlineData(16, "TSIG BADSIG")]
    [InlineData(17, "TSIG BADKEY: the server does not know key rebound-key. with algorithm hmac-sha256")]
    public async Task Unsigned_TSIG_error_answers_are_explained(int error, string expected)
    {
        await using var server = new FakeDnsServer(r =>
            [SignResponse(FakeDnsServer.Answer(r, rcode: 9), "rebound-key", "hmac-sha256", s_secret, r.Mac, Now, error: error, emptyMac: true)]);
        var result = await Client(server).UpdateAsync(Zone, s_updates, Token);

        Assert.Equal(Rfc2136Status.TsigError, result.Status);
        Assert.StartsWith(expected, result.Message);
        Assert.DoesNotContain('\n', result.Message);
    }

    [Theory]
    [InlineData(5, "REFUSED")]
    [InlineData(9, "NOTAUTH: the server is not authoritative for zone home.test.")]
    [InlineData(10, "NOTZONE")]
    [InlineData(2, "SERVFAIL")]
    public async Task Error_rcodes_are_explained(int rcode, string expected)
    {
        await using var server = new FakeDnsServer(r => [Signed(r, FakeDnsServer.Answer(r, rcode: rcode))]);
        var result = await Client(server).UpdateAsync(Zone, s_updates, Token);

        Assert.Equal(Rfc2136Status.DnsError, result.Status);
        Assert.Equal((DnsRcode)rcode, result.Rcode);
        Assert.StartsWith(expected, result.Message);
        Assert.True(result.ResponseVerified);
    }

    [Fact]
    public async Task Query_returns_the_answer_records()
    {
        await using var server = new FakeDnsServer(r =>
        {
            var answer = QueryAnswer(r.Id);
            return [answer];
        });
        var client = new Rfc2136Client(new Rfc2136ClientOptions { Server = server.EndPoint });
        var result = await client.QueryAsync(DnsName.Parse("gw.home.test"), DnsRecordType.A, Token);

        Assert.True(result.Succeeded, result.Message);
        Assert.False(result.ResponseVerified);
        Assert.Equal(["192.0.2.1", "192.0.2.2"], result.Response!.Answers.Select(a => a.Address!.ToString()));
    }

    [Fact]
    public async Task Silence_times_out_on_the_injected_clock_after_the_retries()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = new FakeDnsServer(_ => []);
        var client = new Rfc2136Client(
            new Rfc2136ClientOptions { Server = server.EndPoint, Key = Key256, Timeout = TimeSpan.FromSeconds(5), Retries = 2 }, time);

        var task = client.UpdateAsync(Zone, s_updates, Token);
        for (int i = 0; i < 500 && !task.IsCompleted; i++)
        {
            await Task.Delay(5, Token);
            if (server.UdpRequests > 0)
                time.Advance(TimeSpan.FromSeconds(1));
        }

        var result = await task;
        Assert.Equal(Rfc2136Status.Timeout, result.Status);
        Assert.Equal(3, result.Transmissions);
        Assert.Equal(3, server.UdpRequests);
        Assert.InRange(result.Elapsed, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(17));
        Assert.Contains("no answer", result.Message);
    }

    [Fact]
    public async Task Closed_port_is_reported_unreachable()
    {
        int port;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            port = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }

        var client = new Rfc2136Client(new Rfc2136ClientOptions { Server = new IPEndPoint(IPAddress.Loopback, port), Key = Key256 });
        var result = await client.UpdateAsync(Zone, s_updates, Token);

        Assert.Equal(Rfc2136Status.Unreachable, result.Status);
        Assert.Contains("ConnectionRefused", result.Message);
    }

    [Fact]
    public async Task Caller_cancellation_throws()
    {
        await using var server = new FakeDnsServer(_ => []);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Client(server).UpdateAsync(Zone, s_updates, cts.Token));
    }

    private static Rfc2136Client Client(FakeDnsServer server, bool tcpOnly = false, TimeSpan? timeout = null) =>
        new(new Rfc2136ClientOptions { Server = server.EndPoint, Key = Key256, Timeout = timeout ?? TimeSpan.FromSeconds(5), TcpOnly = tcpOnly });

    private static byte[] Signed(FakeDnsServer.Request request, byte[] answer, byte[]? secret = null) =>
        SignResponse(answer, "rebound-key", "hmac-sha256", secret ?? s_secret, request.Mac, Now);
}
