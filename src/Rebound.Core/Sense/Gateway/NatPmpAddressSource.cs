using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Rebound.Sense.Sources;

namespace Rebound.Sense.Gateway;

/// <summary>
/// RFC 6886 external-address request to the gateway (version 0, opcode 0; answer opcode 128 with the address).
/// What it tells is the router's WAN address: behind a carrier NAT not the public one, so only a hint.
/// </summary>
public sealed class NatPmpAddressSource(NatPmpSourceSpec spec, TimeProvider time, Func<IPAddress?> defaultGateway) : IAddressSource
{
    public string Name => spec.Name;

    public AddressSourceKind Kind => AddressSourceKind.NatPmp;

    public AddressFamily Family => AddressFamily.InterNetwork;

    public async Task<AddressAnswer> AskAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        if ((spec.Gateway ?? defaultGateway()) is not { } gateway)
        {
            return AddressAnswer.Failed("no IPv4 default gateway");
        }

        using var timer = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(IPAddress.Any, 0));
            var target = new IPEndPoint(gateway, NatPmpSourceSpec.Port);
            byte[] request = [0, 0];
            var sent = await socket.SendToAsync(request, SocketFlags.None, target, linked.Token);
            var buffer = new byte[64];
            EndPoint any = new IPEndPoint(IPAddress.Any, 0);
            while (true)
            {
                var received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, linked.Token);
                if (received.RemoteEndPoint is not IPEndPoint from || !from.Address.Equals(gateway))
                {
                    continue;
                }

                var answer = Parse(buffer.AsSpan(0, received.ReceivedBytes), out var error);
                return new AddressAnswer(answer, time.GetElapsedTime(started), error, gateway, sent, received.ReceivedBytes);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            return AddressAnswer.Failed($"no answer within {timeout.TotalMilliseconds:0} ms", time.GetElapsedTime(started), gateway, timedOut: true);
        }
        catch (SocketException ex)
        {
            return AddressAnswer.Failed($"socket error {ex.SocketErrorCode}", time.GetElapsedTime(started), gateway);
        }
    }

    /// <summary>The external address of a NAT-PMP answer, or null with why.</summary>
    public static IPAddress? Parse(ReadOnlySpan<byte> answer, out string? error)
    {
        if (answer.Length < 12 || answer[0] != 0 || answer[1] != 128)
        {
            error = "not a NAT-PMP external-address answer";
            return null;
        }

        var result = BinaryPrimitives.ReadUInt16BigEndian(answer[2..]);
        if (result != 0)
        {
            error = result switch
            {
                1 => "NAT-PMP: unsupported version",
                2 => "NAT-PMP: not authorized",
                3 => "NAT-PMP: network failure (the gateway has no external address)",
                4 => "NAT-PMP: out of resources",
                _ => $"NAT-PMP result code {result}",
            };
            return null;
        }

        var address = new IPAddress(answer.Slice(8, 4));
        if (address.Equals(IPAddress.Any))
        {
            error = "NAT-PMP: the gateway reports no external address";
            return null;
        }

        error = null;
        return address;
    }
}
