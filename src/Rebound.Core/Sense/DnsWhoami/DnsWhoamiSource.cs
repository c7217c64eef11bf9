using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Rebound.Sense.Sources;

namespace Rebound.Sense.DnsWhoami;

/// <summary>Asks a DNS server which address it sees us from, over UDP from a fresh socket each time.</summary>
public sealed class DnsWhoamiSource(DnsSourceSpec spec, TimeProvider time) : IAddressSource
{
    private static readonly TimeSpan ResolveEvery = TimeSpan.FromMinutes(10);
    private IPAddress? _server;
    private long _resolvedAt;

    public string Name => spec.Name;

    public AddressSourceKind Kind => AddressSourceKind.Dns;

    public AddressFamily Family => spec.Family;

    public async Task<AddressAnswer> AskAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        using var timer = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        IPAddress? server = null;
        try
        {
            server = await ServerAsync(linked.Token);
            if (server is null)
            {
                return AddressAnswer.Failed($"cannot resolve {spec.Server.Host}", time.GetElapsedTime(started));
            }

            var id = (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue + 1);
            var query = new byte[512];
            var length = DnsWhoamiCodec.WriteQuery(query, id, spec.QueryName, spec.Type, spec.Chaos);
            var target = new IPEndPoint(server, spec.Server.Port);
            using var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(server.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0));
            var sent = await socket.SendToAsync(query.AsMemory(0, length), SocketFlags.None, target, linked.Token);
            var buffer = new byte[1232];
            var received = 0;
            EndPoint any = new IPEndPoint(server.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
            string lastError = "no answer";
            while (true)
            {
                var result = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, linked.Token);
                received += result.ReceivedBytes;
                if (result.RemoteEndPoint is not IPEndPoint from || !from.Address.Equals(server) || from.Port != target.Port)
                {
                    continue; // only the server we asked counts
                }

                if (DnsWhoamiCodec.TryReadAnswer(buffer.AsSpan(0, result.ReceivedBytes), id, spec.Type, out var address, out var error))
                {
                    return new AddressAnswer(address, time.GetElapsedTime(started), null, server, sent, received);
                }

                lastError = error;
                if (error != "not the answer to our question")
                {
                    return new AddressAnswer(null, time.GetElapsedTime(started), lastError, server, sent, received);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            return AddressAnswer.Failed($"no answer within {timeout.TotalMilliseconds:0} ms", time.GetElapsedTime(started), server, timedOut: true);
        }
        catch (SocketException ex)
        {
            return AddressAnswer.Failed($"socket error {ex.SocketErrorCode}", time.GetElapsedTime(started), server);
        }
    }

    private async Task<IPAddress?> ServerAsync(CancellationToken ct)
    {
        if (spec.Server.Literal is { } literal)
        {
            return literal;
        }

        if (_server is not null && time.GetElapsedTime(_resolvedAt) < ResolveEvery)
        {
            return _server;
        }

        try
        {
            var addresses = await System.Net.Dns.GetHostAddressesAsync(spec.Server.Host, AddressFamily.InterNetwork, ct);
            if (addresses.Length > 0)
            {
                _server = addresses[0];
                _resolvedAt = time.GetTimestamp();
            }
        }
        catch (SocketException)
        {
            // Keep the address we had: the resolver failing is not the upstream failing.
        }

        return _server;
    }
}
