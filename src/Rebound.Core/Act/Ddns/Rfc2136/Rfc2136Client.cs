using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Rebound.Act.Ddns.Rfc2136;

/// <summary>
/// Sends DNS UPDATEs (RFC 2136) and verification QUERYs to one server, signed with TSIG (RFC 8945)
/// when a key is configured. UDP from a fresh socket per request, TCP when the answer is truncated.
/// Never throws for network or protocol failures: those come back as an <see cref="Rfc2136Result"/>;
/// only the caller's cancellation throws <see cref="OperationCanceledException"/>.
/// </summary>
public sealed class Rfc2136Client
{
    private const int MaxMessageLength = ushort.MaxValue;

    private readonly Rfc2136ClientOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly IPEndPoint _server;

    public Rfc2136Client(Rfc2136ClientOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _server = options.Server.Address.IsIPv4MappedToIPv6
            ? new IPEndPoint(options.Server.Address.MapToIPv4(), options.Server.Port)
            : options.Server;
    }

    /// <summary>
    /// Replaces the A/AAAA RRsets of every name in <paramref name="updates"/> in one atomic UPDATE of
    /// <paramref name="zone"/> (all names succeed or none do).
    /// </summary>
    /// <exception cref="ArgumentException">No updates, or a name outside the zone (caller errors).</exception>
    public Task<Rfc2136Result> UpdateAsync(DnsName zone, IReadOnlyList<DnsAddressUpdate> updates, CancellationToken cancellationToken)
    {
        var request = DnsMessageBuilder.BuildUpdate(NewId(), zone, updates);
        string what = updates.Count == 1 ? "1 name" : $"{updates.Count} names";
        return ExchangeAsync(request, DnsOpcode.Update, zone, $"zone {zone} updated ({what})", cancellationToken);
    }

    /// <summary>Asks the server for <paramref name="name"/>/<paramref name="type"/>; the records are in <see cref="Rfc2136Result.Response"/>.</summary>
    public Task<Rfc2136Result> QueryAsync(DnsName name, DnsRecordType type, CancellationToken cancellationToken)
    {
        var request = DnsMessageBuilder.BuildQuery(NewId(), name, type);
        return ExchangeAsync(request, DnsOpcode.Query, name, $"query {name} {type} answered", cancellationToken);
    }

    private static ushort NewId() => (ushort)RandomNumberGenerator.GetInt32(0, 0x10000);

    private async Task<Rfc2136Result> ExchangeAsync(
        byte[] request, DnsOpcode opcode, DnsName subject, string successText, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ushort id = BinaryPrimitives.ReadUInt16BigEndian(request);
        byte[] requestMac = [];
        if (_options.Key is { } key)
            request = Tsig.Sign(request, key, _timeProvider.GetUtcNow().ToUnixTimeSeconds(), out requestMac, _options.Fudge);

        var state = new ExchangeState(_timeProvider);
        try
        {
            if (!_options.TcpOnly)
            {
                // A response that fails authentication may be forged: remember it, keep listening for the
                // real one until the current wait ends, and report it only if nothing better arrives.
                Rfc2136Result? rejected = null;
                Rfc2136Result? final = null;
                bool answered = await UdpExchangeAsync(request, id, opcode, state, Judge, () => rejected is not null, cancellationToken);
                if (final is not null)
                    return final;
                if (!answered)
                    return rejected ?? state.Result(Rfc2136Status.Timeout, $"no answer from {_server} after {state.Transmissions} UDP transmissions ({_options.Timeout.TotalSeconds:0.###} s each)");

                bool Judge(byte[] raw, DnsMessage message)
                {
                    if (message.Header.IsTruncated)
                        return true;
                    var result = Interpret(raw, message, requestMac, subject, successText, state, out bool unauthenticated);
                    if (unauthenticated)
                    {
                        rejected = result;
                        return false;
                    }

                    final = result;
                    return true;
                }

                // Answered but truncated: ask again over TCP.
            }

            state.UsedTcp = true;
            using var timeout = new CancellationTokenSource(_options.Timeout, _timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            var tcp = await TcpExchangeAsync(request, linked.Token);
            if (tcp is null)
                return state.Result(Rfc2136Status.InvalidResponse, $"{_server} closed the TCP connection without a complete answer");
            if (!DnsMessageParser.TryParse(tcp, out var message, out var parseError))
                return state.Result(Rfc2136Status.InvalidResponse, $"malformed TCP answer from {_server}: {parseError}");
            if (!IsAnswerTo(message, id, opcode))
                return state.Result(Rfc2136Status.InvalidResponse, $"TCP answer from {_server} does not match the request (id {message.Header.Id}, {message.Header.Opcode})");
            return Interpret(tcp, message, requestMac, subject, successText, state, out _);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            return state.Result(Rfc2136Status.Timeout, $"no TCP answer from {_server} within {_options.Timeout.TotalSeconds:0.###} s");
        }
        catch (SocketException ex)
        {
            string hint = ex.SocketErrorCode == SocketError.ConnectionRefused ? " (is the DNS server running on that port?)" : "";
            return state.Result(Rfc2136Status.Unreachable, $"{_server} unreachable over {(state.UsedTcp ? "TCP" : "UDP")}: {ex.SocketErrorCode}{hint}");
        }
    }

    /// <summary>
    /// Sends and retransmits until <paramref name="accept"/> takes an answer (returns true), or the
    /// retries are used up, or a wait ends while <paramref name="giveUp"/> says so (returns false).
    /// </summary>
    private async Task<bool> UdpExchangeAsync(
        byte[] request,
        ushort id,
        DnsOpcode opcode,
        ExchangeState state,
        Func<byte[], DnsMessage, bool> accept,
        Func<bool> giveUp,
        CancellationToken cancellationToken)
    {
        using var socket = new Socket(_server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        // Connecting filters out datagrams from anyone else and lets ICMP "port unreachable" surface.
        socket.Connect(_server);
        var buffer = new byte[MaxMessageLength];
        EndPoint anySource = new IPEndPoint(_server.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task<SocketReceiveFromResult>? receive = null;
        try
        {
            for (int attempt = 0; attempt <= _options.Retries; attempt++)
            {
                await socket.SendAsync(request, SocketFlags.None, cancellationToken);
                state.Transmissions++;
                var due = Task.Delay(_options.Timeout, _timeProvider, stop.Token);
                while (true)
                {
                    // One receive stays pending across retransmissions: a late answer to the first still counts.
                    receive ??= socket.ReceiveFromAsync(buffer, SocketFlags.None, anySource, stop.Token).AsTask();
                    if (await Task.WhenAny(receive, due) == due)
                    {
                        await due; // surfaces the caller's cancellation
                        if (giveUp())
                            return false;
                        break;
                    }

                    var pending = receive;
                    receive = null;
                    SocketReceiveFromResult received;
                    try
                    {
                        received = await pending;
                    }
                    catch (SocketException ex) when (ex.SocketErrorCode == SocketError.MessageSize)
                    {
                        continue;
                    }

                    var datagram = buffer.AsSpan(0, received.ReceivedBytes);
                    if (received.RemoteEndPoint is IPEndPoint from && SameEndPoint(from, _server)
                        && DnsMessageParser.TryParse(datagram, out var message, out _) && IsAnswerTo(message, id, opcode)
                        && accept(datagram.ToArray(), message))
                    {
                        return true;
                    }
                }
            }

            return false;
        }
        finally
        {
            await stop.CancelAsync();
            // Observe a receive still pending when the socket goes away.
            _ = receive?.ContinueWith(
                static t => _ = t.Exception,
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    /// <summary>One length-prefixed exchange (RFC 1035 §4.2.2); null when the server closes early.</summary>
    private async Task<byte[]?> TcpExchangeAsync(byte[] request, CancellationToken token)
    {
        using var socket = new Socket(_server.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(_server, token);
        var framed = new byte[request.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)request.Length);
        request.CopyTo(framed, 2);
        int sent = 0;
        while (sent < framed.Length)
            sent += await socket.SendAsync(framed.AsMemory(sent), SocketFlags.None, token);

        var prefix = new byte[2];
        if (!await ReadExactlyAsync(socket, prefix, token))
            return null;
        var response = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
        return await ReadExactlyAsync(socket, response, token) ? response : null;
    }

    private static async Task<bool> ReadExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken token)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = await socket.ReceiveAsync(buffer[read..], SocketFlags.None, token);
            if (n == 0)
                return false;
            read += n;
        }

        return true;
    }

    private static bool IsAnswerTo(DnsMessage message, ushort id, DnsOpcode opcode) =>
        message.Header.Id == id && message.Header.IsResponse && message.Header.Opcode == opcode;

    private static bool SameEndPoint(IPEndPoint from, IPEndPoint server)
    {
        var address = from.Address.IsIPv4MappedToIPv6 ? from.Address.MapToIPv4() : from.Address;
        return from.Port == server.Port && address.Equals(server.Address);
    }

    /// <summary>
    /// Turns an answer into a result. <paramref name="unauthenticated"/> is set when the answer was
    /// rejected because it could not be authenticated (unsigned success, or a MAC that does not verify).
    /// </summary>
    private Rfc2136Result Interpret(
        byte[] raw, DnsMessage message, byte[] requestMac, DnsName subject, string successText, ExchangeState state, out bool unauthenticated)
    {
        unauthenticated = false;
        var rcode = message.Header.Rcode;
        bool verified = false;
        if (_options.Key is { } key)
        {
            long now = _timeProvider.GetUtcNow().ToUnixTimeSeconds();
            if (message.Tsig is not { } tsig)
            {
                unauthenticated = rcode == DnsRcode.NoError;
                return rcode == DnsRcode.NoError
                    ? state.Result(Rfc2136Status.TsigError, $"{_server} claimed success but its response is not signed; rejected", rcode, message)
                    : state.Result(Rfc2136Status.DnsError, $"{DnsErrorText.Describe(rcode, subject)} (unsigned response)", rcode, message);
            }

            if (tsig.Error != DnsRcode.NoError)
            {
                // BADSIG/BADKEY answers cannot be signed (empty MAC, RFC 8945 §5.2); a MAC that is
                // present (BADTIME) must verify, or the answer may be forged.
                unauthenticated = !tsig.Mac.IsEmpty && Tsig.VerifyResponse(raw, message, key, requestMac, now) is not null;
                var description = DnsErrorText.DescribeTsig(tsig, key, now);
                return state.Result(Rfc2136Status.TsigError, unauthenticated ? description + " (response signature did not verify)" : description, tsig.Error, message, verified: !tsig.Mac.IsEmpty && !unauthenticated);
            }

            if (Tsig.VerifyResponse(raw, message, key, requestMac, now) is { } problem)
            {
                unauthenticated = true;
                return state.Result(Rfc2136Status.TsigError, $"TSIG: {problem}; {rcode} response from {_server} rejected", rcode, message);
            }

            verified = true;
        }

        return rcode == DnsRcode.NoError
            ? state.Result(Rfc2136Status.Success, successText, rcode, message, verified)
            : state.Result(Rfc2136Status.DnsError, DnsErrorText.Describe(rcode, subject), rcode, message, verified);
    }

    private sealed class ExchangeState(TimeProvider timeProvider)
    {
        private readonly long _started = timeProvider.GetTimestamp();

        public int Transmissions { get; set; }

        public bool UsedTcp { get; set; }

        public Rfc2136Result Result(
            Rfc2136Status status, string message, DnsRcode? rcode = null, DnsMessage? response = null, bool verified = false) =>
            new(status, message, rcode, response, timeProvider.GetElapsedTime(_started))
            {
                ResponseVerified = verified,
                UsedTcp = UsedTcp,
                Transmissions = Transmissions,
            };
    }
}
