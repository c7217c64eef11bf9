using System.Net;
using System.Net.Sockets;
using Rebound.Sense.Stun;

namespace Rebound.Tests.Sense.Stun;

/// <summary>Real UDP on loopback against <see cref="FakeStunServer"/>. Timeouts are short; assertions are about behaviour.</summary>
public sealed class StunProberTests
{
    private static readonly StunProberOptions s_fast = new()
    {
        Timeout = TimeSpan.FromMilliseconds(400),
        RetransmitInterval = TimeSpan.FromMilliseconds(50),
        MaxTransmissions = 3,
    };

    // Real time, for tests that count all three transmissions: the third is due at 150 ms, and the timeout
    // leaves a loaded machine (the whole suite on 2 cores) well over a second to send it.
    private static readonly StunProberOptions s_roomy = new()
    {
        Timeout = TimeSpan.FromMilliseconds(1500),
        RetransmitInterval = TimeSpan.FromMilliseconds(50),
        MaxTransmissions = 3,
    };

    // For tests that expect an answer: a retransmission would only blur what they check, and on a
    // loaded two-core machine 50 ms is not always enough for a loopback round trip.
    private static readonly StunProberOptions s_patient = new()
    {
        Timeout = TimeSpan.FromSeconds(5),
        RetransmitInterval = TimeSpan.FromSeconds(2),
        MaxTransmissions = 3,
    };

    private static readonly IPEndPoint s_reported = new(IPAddress.Parse("203.0.113.77"), 61000);

    [Fact]
    public async Task Success_returns_the_mapped_address_the_server_reports()
    {
        await using var server = new FakeStunServer(IPAddress.Loopback, (s, r) => s.ReplyAsync(r, FakeStunServer.SuccessFor(r, s_reported)));

        var result = await new StunProber(s_patient).ProbeAsync(server.AsStunServer(), TestContext.Current.CancellationToken);

        Assert.True(result.Succeeded, result.Error);
        Assert.Null(result.Error);
        Assert.Equal(s_reported, result.Mapped);
        Assert.Equal(1, result.Transmissions);
        Assert.Equal(server.Requests.Single().Datagram.Length, result.BytesSent);
        Assert.True(result.BytesReceived > 0);
        Assert.True(result.Rtt >= TimeSpan.Zero);
    }

    [Fact]
    public async Task Request_is_a_binding_request_with_fingerprint_and_a_fresh_transaction_id()
    {
        await using var server = new FakeStunServer(IPAddress.Loopback);
        var prober = new StunProber(s_patient);

        await prober.ProbeAsync(server.AsStunServer(), TestContext.Current.CancellationToken);
        await prober.ProbeAsync(server.AsStunServer(), TestContext.Current.CancellationToken);

        var requests = server.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.All(requests, r => Assert.Equal(StunMessageType.BindingRequest, r.Message.MessageType));
        Assert.All(requests, r => Assert.True(r.Message.HasFingerprint));
        Assert.NotEqual(requests[0].Message.TransactionId, requests[1].Message.TransactionId);
    }

    [Fact]
    public async Task Default_reply_reports_the_probe_socket_address()
    {
        await using var server = new FakeStunServer(IPAddress.Loopback);

        var result = await new StunProber(s_patient).ProbeAsync(server.AsStunServer(), TestContext.Current.CancellationToken);

        Assert.Equal(server.Requests.Single().From, result.Mapped);
    }

    [Fact]
    public async Task Response_with_wrong_transaction_id_is_ignored()
    {
        await using var server = new FakeStunServer(IPAddress.Loopback, async (s, r) =>
        {
            var stranger = new ReceivedRequest(WithTransactionId(r.Message, StunTransactionId.NewRandom()), r.From, r.Datagram);
            await s.ReplyAsync(r, FakeStunServer.SuccessFor(stranger, new IPEndPoint(IPAddress.Parse("192.0.2.66"), 1)));
        });

        var result = await new StunProber(s_roomy).ProbeAsync(server.AsStunServer(), TestContext.Current.CancellationToken);

        Assert.False(result.Succeeded);
        Assert.Equal("timeout after 3 transmissions", result.Error);
        Assert.InRange(result.IgnoredDatagrams, 1, 3);
        Assert.True(result.BytesReceived > 0, "ignored datagrams still count as received bytes");
    }

    [Fact]
    public async Task Response_from_another_source_port_is_ignored_and_the_real_one_accepted()
    {
        var spoofed = new IPEndPoint(IPAddress.Parse("192.0.2.66"), 6666);
        await using var server = new FakeStunServer(IPAddress.Loopback, async (s, r) =>
        {
            await s.ReplyFromOtherPortAsync(r, FakeStunServer.SuccessFor(r, spoofed));
            await Task.Delay(30); // let the spoof arrive first
            await s.ReplyAsync(r, FakeStunServer.SuccessFor(r, s_reported));
        });

        var result = await new StunProber(s_patient).ProbeAsync(server.AsStunServer(), TestContext.Current.CancellationToken);

        Assert.Equal(s_reported, result.Mapped);
        Assert.Equal(1, result.IgnoredDatagrams);
    }

    [Fact]
    public async Task Garbage_from_the_server_is_ignored_until_a_valid_answer_arrives()
    {
        await using var server = new FakeStunServer(IPAddress.Loopback, async (s, r) =>
        {
            await s.ReplyAsync(r, [1, 2, 3]);
            await s.ReplyAsync(r, FakeStunServer.SuccessFor(r, s_reported));
        });

        var result = await new StunProber(s_patient).ProbeAsync(server.AsStunServer(), TestContext.Current.CancellationToken);

        Assert.Equal(s_reported, result.Mapped);
        Assert.Equal(1, result.IgnoredDatagrams);
    }

    [Fact]
    public async Task No_answer_times_out_after_max_transmissions()
    {
        await using var server = new FakeStunServer(IPAddress.Loopback, (_, _) => Task.CompletedTask);

        var result = await new StunProber(s_roomy).ProbeAsync(server.AsStunServer(), TestContext.Current.CancellationToken);
        await server.WaitForRequestsAsync(3);
        await Task.Delay(100, TestContext.Current.CancellationToken); // room for a (wrong) fourth datagram to show up

        Assert.False(result.Succeeded);
        Assert.Null(result.Mapped);
        Assert.Equal("timeout after 3 transmissions", result.Error);
        Assert.Equal(3, result.Transmissions);
        Assert.Equal(3, server.Requests.Count);
        Assert.Equal(server.Requests.Sum(r => r.Datagram.Length), result.BytesSent);
        Assert.All(server.Requests, r => Assert.Equal(server.Requests.First().Message.TransactionId, r.Message.TransactionId));
        Assert.Equal(0, result.BytesReceived);
    }

    [Fact]
    public async Task Error_response_gives_a_failed_result_with_the_code()
    {
        await using var server = new FakeStunServer(IPAddress.Loopback, (s, r) => s.ReplyAsync(r, FakeStunServer.ErrorFor(r, 420, "Unknown Attribute")));

        var result = await new StunProber(s_patient).ProbeAsync(server.AsStunServer(), TestContext.Current.CancellationToken);

        Assert.False(result.Succeeded);
        Assert.Equal("error 420: Unknown Attribute", result.Error);
        Assert.Equal(1, result.Transmissions);
    }

    [Fact]
    public async Task Successive_probes_use_fresh_sockets_with_different_source_ports()
    {
        await using var server = new FakeStunServer(IPAddress.Loopback);
        var prober = new StunProber(s_patient);

        for (int i = 0; i < 4; i++)
            Assert.True((await prober.ProbeAsync(server.AsStunServer(), TestContext.Current.CancellationToken)).Succeeded);

        // One source port per transaction (a retransmission reuses its probe's socket).
        var ports = server.Requests.GroupBy(r => r.Message.TransactionId).Select(g => g.First().From.Port).ToArray();
        Assert.Equal(4, ports.Length);
        Assert.Equal(ports.Length, ports.Distinct().Count());
    }

    [Fact]
    public async Task Caller_cancellation_propagates_as_operation_canceled()
    {
        await using var server = new FakeStunServer(IPAddress.Loopback, (_, _) => Task.CompletedTask);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var prober = new StunProber(new StunProberOptions { Timeout = TimeSpan.FromSeconds(30) });

        var probe = prober.ProbeAsync(server.AsStunServer(), cancel.Token);
        await server.WaitForRequestsAsync(1);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => probe);
    }

    [Fact]
    public async Task Already_cancelled_token_throws_without_sending()
    {
        await using var server = new FakeStunServer(IPAddress.Loopback);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => new StunProber(s_fast).ProbeAsync(server.AsStunServer(), new CancellationToken(canceled: true)));
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Socket_error_becomes_a_failed_result_not_an_exception()
    {
        // Sending to the limited broadcast address without SO_BROADCAST is refused by the OS.
        var server = new StunServer("broadcast", new IPEndPoint(IPAddress.Broadcast, 3478));

        var result = await new StunProber(s_fast).ProbeAsync(server, TestContext.Current.CancellationToken);

        Assert.False(result.Succeeded);
        Assert.StartsWith("socket error", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', result.Error!);
    }

    [Fact]
    public async Task IPv6_loopback_probe_works()
    {
        if (!Socket.OSSupportsIPv6 || !CanBind(IPAddress.IPv6Loopback))
            Assert.Skip("no IPv6 loopback on this machine");
        var mapped = new IPEndPoint(IPAddress.Parse("2001:db8::77"), 61000);
        await using var server = new FakeStunServer(IPAddress.IPv6Loopback, (s, r) => s.ReplyAsync(r, FakeStunServer.SuccessFor(r, mapped)));

        var result = await new StunProber(s_patient).ProbeAsync(server.AsStunServer(), TestContext.Current.CancellationToken);

        Assert.Equal(mapped, result.Mapped);
        Assert.Equal(AddressFamily.InterNetworkV6, server.Requests.Single().From.AddressFamily);
    }

    [Fact]
    public void Options_are_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new StunProber(new StunProberOptions { MaxTransmissions = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StunProber(new StunProberOptions { Timeout = TimeSpan.Zero }));
    }

    private static StunMessage WithTransactionId(StunMessage message, StunTransactionId transactionId)
    {
        var buffer = new byte[64];
        int length = StunMessageWriter.WriteBindingRequest(buffer, transactionId);
        Assert.True(StunMessageParser.TryParse(buffer.AsSpan(0, length), out var copy, out _));
        Assert.NotEqual(message.TransactionId, copy.TransactionId);
        return copy;
    }

    private static bool CanBind(IPAddress address)
    {
        try
        {
            using var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(address, 0));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
