using System.Net;
using System.Net.Sockets;

namespace Rebound.Sense.Stun;

/// <summary>
/// Sends one Binding request per probe from a brand-new UDP socket and reports the reflexive address.
/// A fresh socket means a fresh NAT mapping: a long-lived socket could keep a mapping pinned to an
/// uplink that has since died, which is exactly the failure this agent must notice.
/// </summary>
public sealed class StunProber : IStunProber
{
    private readonly StunProberOptions _options;
    private readonly TimeProvider _timeProvider;

    public StunProber(StunProberOptions? options = null, TimeProvider? timeProvider = null)
    {
        _options = options ?? new StunProberOptions();
        _options.Validate();
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    public Task<StunProbeResult> ProbeAsync(StunServer server, CancellationToken cancellationToken) =>
        ProbeAsync(server, _options.Timeout, cancellationToken);

    /// <summary>One probe giving up after <paramref name="timeout"/>; retransmits at most every half of it.</summary>
    public async Task<StunProbeResult> ProbeAsync(StunServer server, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(server);
        cancellationToken.ThrowIfCancellationRequested();

        var target = server.EndPoint.Address.IsIPv4MappedToIPv6
            ? new IPEndPoint(server.EndPoint.Address.MapToIPv4(), server.EndPoint.Port)
            : server.EndPoint;
        var probe = new ProbeState(server, _timeProvider);

        using var timeoutCts = new CancellationTokenSource(timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutCts.Token);
        try
        {
            using var socket = _options.CreateSocket?.Invoke(target.AddressFamily) ?? new Socket(target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            _options.PrepareSocket?.Invoke(socket);
            socket.Bind(new IPEndPoint(_options.LocalAddress ?? (target.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any), 0));
            return await ExchangeAsync(socket, target, probe, timeout, linked.Token);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException) when (timeoutCts.IsCancellationRequested)
        {
            return probe.Failed($"timeout after {probe.Transmissions} transmissions");
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.TooManyOpenSockets)
        {
            return probe.Failed($"no descriptor for a socket on this host ({OneLine(ex.Message)}); not sent") with { LocalFailure = true };
        }
        catch (SocketException ex)
        {
            return probe.Failed($"socket error {ex.SocketErrorCode}: {OneLine(ex.Message)}");
        }
        finally
        {
            // Stops any retransmit timer still pending after an early answer.
            await linked.CancelAsync();
        }
    }

    private async Task<StunProbeResult> ExchangeAsync(Socket socket, IPEndPoint target, ProbeState probe, TimeSpan timeout, CancellationToken token)
    {
        var transactionId = StunTransactionId.NewRandom();
        var request = new byte[StunConstants.MaxDatagramLength];
        int requestLength = StunMessageWriter.WriteBindingRequest(request, transactionId, _options.Software, _options.Fingerprint);
        var receiveBuffer = new byte[StunConstants.MaxDatagramLength];
        EndPoint anySource = new IPEndPoint(target.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);

        probe.Start();
        await SendAsync();
        var interval = timeout < _options.RetransmitInterval * 2 ? timeout / 2 : _options.RetransmitInterval;
        var retransmitDue = NextRetransmit();
        Task<SocketReceiveFromResult>? receive = null;
        try
        {
            while (true)
            {
                receive ??= socket.ReceiveFromAsync(receiveBuffer, SocketFlags.None, anySource, token).AsTask();
                var completed = await Task.WhenAny(receive, retransmitDue);
                if (completed == retransmitDue)
                {
                    await retransmitDue; // surfaces cancellation (timeout or caller)
                    await SendAsync();
                    interval *= 2;
                    retransmitDue = NextRetransmit();
                    continue;
                }

                var pending = receive;
                receive = null;
                SocketReceiveFromResult received;
                try
                {
                    received = await pending;
                }
                catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize)
                {
                    // ICMP noise (reported on some platforms even for unconnected sockets) or an oversized
                    // datagram: neither is an answer, so keep waiting for one until the timeout.
                    probe.IgnoredDatagrams++;
                    continue;
                }

                probe.BytesReceived += received.ReceivedBytes;
                var result = TryAccept(receiveBuffer.AsSpan(0, received.ReceivedBytes), received.RemoteEndPoint, target, transactionId, probe);
                if (result is not null)
                    return result;
                probe.IgnoredDatagrams++;
            }
        }
        finally
        {
            // A receive still pending when we leave fails once the socket is disposed; observe it so
            // that failure does not surface later as an unobserved task exception.
            _ = receive?.ContinueWith(
                static t => _ = t.Exception,
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }

        async Task SendAsync()
        {
            probe.BytesSent += await socket.SendToAsync(request.AsMemory(0, requestLength), SocketFlags.None, target, token);
            probe.Transmissions++;
        }

        // After the last transmission there is nothing to schedule; the overall timeout ends the wait.
        Task NextRetransmit() => probe.Transmissions < _options.MaxTransmissions
            ? Task.Delay(interval, _timeProvider, token)
            : Task.Delay(Timeout.InfiniteTimeSpan, _timeProvider, token);
    }

    /// <summary>The result for an acceptable answer, or null to ignore the datagram and keep waiting.</summary>
    private static StunProbeResult? TryAccept(
        ReadOnlySpan<byte> datagram, EndPoint source, IPEndPoint target, StunTransactionId transactionId, ProbeState probe)
    {
        // Anyone can send us a datagram; only the server we asked, echoing our transaction ID, counts.
        if (source is not IPEndPoint from || !SameEndPoint(from, target))
            return null;
        if (!StunMessageParser.TryParse(datagram, out var message, out _))
            return null;
        if (message.TransactionId != transactionId || message.Method != StunMethod.Binding)
            return null;

        return message.Class switch
        {
            StunMessageClass.SuccessResponse when message.ReflexiveAddress is { } mapped => probe.Succeeded(mapped),
            StunMessageClass.SuccessResponse => probe.Failed("success response without a mapped address"),
            StunMessageClass.ErrorResponse => probe.Failed(message.ErrorCode?.ToString() ?? "error response without ERROR-CODE"),
            _ => null,
        };
    }

    private static bool SameEndPoint(IPEndPoint from, IPEndPoint target)
    {
        var address = from.Address.IsIPv4MappedToIPv6 ? from.Address.MapToIPv4() : from.Address;
        return from.Port == target.Port && address.Equals(target.Address);
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    /// <summary>Counters and clock for one probe, so every exit path reports the same numbers.</summary>
    private sealed class ProbeState(StunServer server, TimeProvider timeProvider)
    {
        private long _started;
        private bool _running;

        public int Transmissions { get; set; }

        public int IgnoredDatagrams { get; set; }

        public int BytesSent { get; set; }

        public int BytesReceived { get; set; }

        public void Start()
        {
            _started = timeProvider.GetTimestamp();
            _running = true;
        }

        public StunProbeResult Succeeded(IPEndPoint mapped) => Result(mapped, null);

        public StunProbeResult Failed(string error) => Result(null, error);

        private StunProbeResult Result(IPEndPoint? mapped, string? error) =>
            new(server, mapped, !_running ? TimeSpan.Zero : timeProvider.GetElapsedTime(_started), error, BytesSent, BytesReceived)
            {
                Transmissions = Transmissions,
                IgnoredDatagrams = IgnoredDatagrams,
            };
    }
}
