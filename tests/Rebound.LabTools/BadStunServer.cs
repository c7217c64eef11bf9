using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Rebound.Sense.Stun;

namespace Rebound.LabTools;

/// <summary>How a <see cref="BadStunServer"/> misbehaves.</summary>
internal enum BadStunMode
{
    /// <summary>Answers with malformed messages (random bytes, wrong transaction ID or cookie, bad fingerprint, truncation, overlong attributes).</summary>
    Garbage,

    /// <summary>A well-formed answer claiming a false address, but only after the delay (later than any sane probe timeout).</summary>
    Slow,

    /// <summary>A well-formed answer claiming a false address, sent from a different address than the one asked.</summary>
    WrongSource,

    /// <summary>A well-formed, timely answer from the right address that claims a false address: only a majority can outvote it.</summary>
    Liar,
}

/// <summary>A STUN server that answers every Binding request wrongly in one chosen way.</summary>
internal sealed class BadStunServer(IPEndPoint listen, BadStunMode mode, IPEndPoint claim, IPAddress? replyFrom, TimeSpan delay)
{
    private int _counter;

    public async Task RunAsync(CancellationToken ct)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(listen);
        using var other = replyFrom is null ? null : new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        other?.Bind(new IPEndPoint(replyFrom!, listen.Port));
        var buffer = new byte[2048];
        while (!ct.IsCancellationRequested)
        {
            var received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), ct);
            if (!StunMessageParser.TryParse(buffer.AsSpan(0, received.ReceivedBytes), out var request, out _) || request is null)
            {
                continue;
            }

            var to = (IPEndPoint)received.RemoteEndPoint;
            var answer = Answer(request.TransactionId);
            var from = mode == BadStunMode.WrongSource && other is not null ? other : socket;
            if (mode == BadStunMode.Slow)
            {
                _ = Task.Delay(delay, ct).ContinueWith(_ => from.SendTo(answer, to), ct, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            }
            else
            {
                await from.SendToAsync(answer, SocketFlags.None, to, ct);
            }
        }
    }

    private byte[] Answer(StunTransactionId id)
    {
        var good = new byte[512];
        var length = StunMessageWriter.WriteBindingSuccessResponse(good, id, claim, "bad-stun", fingerprint: true);
        var message = good.AsSpan(0, length).ToArray();
        if (mode != BadStunMode.Garbage)
        {
            return message;
        }

        // Cycle through the kinds of damage, so every run sees each of them.
        switch (_counter++ % 6)
        {
            case 0:
                var random = new byte[Random.Shared.Next(1, 200)];
                Random.Shared.NextBytes(random);
                return random;
            case 1:
                message[8] ^= 0xff; // transaction ID
                return message;
            case 2:
                message[4] ^= 0x01; // magic cookie
                return message;
            case 3:
                message[^1] ^= 0xff; // fingerprint
                return message;
            case 4:
                return message[..(message.Length / 2)];
            default:
                // First attribute claims to run past the end of the message.
                BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(22), 0x7fff);
                return message;
        }
    }
}
