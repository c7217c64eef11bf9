using System.Net;
using System.Net.Sockets;
using Rebound.Transport.Netlink;

namespace Rebound.Act.Router;

/// <summary>
/// The conntrack table over ctnetlink: a full dump filtered here (the reply destination is the NAT address), then
/// one delete per entry by original tuple + zone + CTA_ID. Each call uses a fresh NETLINK_NETFILTER socket from
/// <c>open</c>, so the namespace is the one the opener picks (the caller's by default). Needs CAP_NET_ADMIN.
/// </summary>
public sealed class NetlinkConntrackTable(Func<INetlinkTransport>? open = null, TimeProvider? timeProvider = null) : IConntrackTable
{
    /// <summary>A dump or an acknowledgement that takes longer than this means the kernel is not answering us.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    private readonly Func<INetlinkTransport> _open = open ?? (() => NetlinkSocket.Open(NetlinkProtocol.Netfilter));
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    public string Via => "ctnetlink";

    /// <summary>Every entry of every family.</summary>
    public async ValueTask<IReadOnlyList<ConntrackEntry>> ListAsync(CancellationToken cancellationToken)
    {
        using var socket = OpenSocket();
        return await DumpAsync(socket, cancellationToken);
    }

    public async ValueTask<int> CountTranslatedToAsync(IPAddress address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        var all = await ListAsync(cancellationToken);
        return all.Count(e => e.Reply.Destination.Equals(address));
    }

    public async ValueTask<IReadOnlyDictionary<IPAddress, int>> CountTranslatedToAsync(IReadOnlyCollection<IPAddress> addresses, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        var counts = addresses.Distinct().ToDictionary(a => a, _ => 0);
        if (counts.Count == 0)
        {
            return counts;
        }

        foreach (var entry in await ListAsync(cancellationToken))
        {
            if (counts.TryGetValue(entry.Reply.Destination, out var n))
            {
                counts[entry.Reply.Destination] = n + 1;
            }
        }

        return counts;
    }

    public async ValueTask<ConntrackFlushResult> DeleteTranslatedToAsync(IPAddress address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        using var socket = OpenSocket();
        var victims = (await DumpAsync(socket, cancellationToken)).Where(e => e.Reply.Destination.Equals(address)).ToList();
        return new ConntrackFlushResult(await DeleteAsync(socket, victims, cancellationToken), Via);
    }

    public async ValueTask<IReadOnlyList<ConntrackEntry>?> TryListAsync(CancellationToken cancellationToken) => await ListAsync(cancellationToken);

    public ValueTask<int> DeleteEntriesAsync(IReadOnlyCollection<ConntrackEntry> entries, CancellationToken cancellationToken) => DeleteAsync(entries, cancellationToken);

    /// <summary>Deletes exactly these entries (matched by tuple and id); returns how many the kernel removed.</summary>
    public async ValueTask<int> DeleteAsync(IEnumerable<ConntrackEntry> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        using var socket = OpenSocket();
        return await DeleteAsync(socket, entries, cancellationToken);
    }

    private INetlinkTransport OpenSocket()
    {
        try
        {
            return _open();
        }
        catch (Exception ex) when (ex is SocketException or IOException or UnauthorizedAccessException)
        {
            throw new ConntrackException($"cannot open a ctnetlink socket: {ex.Message}", ex);
        }
    }

    private async ValueTask<int> DeleteAsync(INetlinkTransport socket, IEnumerable<ConntrackEntry> entries, CancellationToken cancellationToken)
    {
        var deleted = 0;
        var buffer = new byte[8192];
        foreach (var entry in entries)
        {
            var sequence = socket.NextSequence();
            await SendAsync(socket, ConntrackDeleteRequest.Create(entry, sequence), cancellationToken);
            var errno = await ReceiveAckAsync(socket, buffer, sequence, cancellationToken);
            switch (errno)
            {
                case 0:
                    deleted++;
                    break;
                case ConntrackConstants.Enoent:
                    break; // expired, or the tuple now belongs to a newer entry (different id): not ours to delete
                default:
                    throw new ConntrackException($"ctnetlink delete of {entry} failed: {new SocketException(errno).Message}");
            }
        }

        return deleted;
    }

    private async ValueTask<IReadOnlyList<ConntrackEntry>> DumpAsync(INetlinkTransport socket, CancellationToken cancellationToken)
    {
        var sequence = socket.NextSequence();
        await SendAsync(socket, ConntrackDumpRequest.Create(sequence), cancellationToken);
        var entries = new List<ConntrackEntry>();
        var buffer = new byte[1 << 18];
        using var timer = new CancellationTokenSource(RequestTimeout, _time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        while (true)
        {
            var received = await ReceiveAsync(socket, buffer, timeout, cancellationToken);
            var result = ConntrackCodec.Parse(buffer.AsSpan(0, received));
            if (result.Error is not null)
            {
                throw new ConntrackException($"malformed ctnetlink dump: {result.Error}");
            }

            entries.AddRange(result.Entries);
            if (result.Acks.FirstOrDefault(a => a.Sequence == sequence && a.Errno != 0) is { Errno: not 0 } failed)
            {
                throw new ConntrackException($"ctnetlink dump refused: {new SocketException(failed.Errno).Message}");
            }

            if (result.Done)
            {
                return entries;
            }
        }
    }

    private async ValueTask<int> ReceiveAckAsync(INetlinkTransport socket, byte[] buffer, uint sequence, CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource(RequestTimeout, _time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        while (true)
        {
            var received = await ReceiveAsync(socket, buffer, timeout, cancellationToken);
            var result = ConntrackCodec.Parse(buffer.AsSpan(0, received));
            foreach (var ack in result.Acks)
            {
                if (ack.Sequence == sequence)
                {
                    return ack.Errno;
                }
            }
        }
    }

    private static async ValueTask<int> ReceiveAsync(INetlinkTransport socket, byte[] buffer, CancellationTokenSource timeout, CancellationToken cancellationToken)
    {
        try
        {
            return await socket.ReceiveAsync(buffer, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ConntrackException($"ctnetlink did not answer within {RequestTimeout.TotalSeconds:0}s");
        }
        catch (Exception ex) when (ex is SocketException or NetlinkOverflowException)
        {
            throw new ConntrackException($"ctnetlink receive failed: {ex.Message}", ex);
        }
    }

    private static async ValueTask SendAsync(INetlinkTransport socket, byte[] request, CancellationToken cancellationToken)
    {
        try
        {
            await socket.SendAsync(request, cancellationToken);
        }
        catch (SocketException ex)
        {
            throw new ConntrackException($"ctnetlink send failed: {ex.Message}", ex);
        }
    }
}
