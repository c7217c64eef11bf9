using System.Net;
using System.Net.Sockets;
using Rebound.Transport.Netlink;
using static Rebound.Act.Remedies.InetDiagConstants;

namespace Rebound.Act.Remedies;

/// <summary>
/// reset-tcp over NETLINK_SOCK_DIAG: one dump of the established TCP sockets per family (with tcp_info), the owners
/// from /proc, <see cref="Select"/>, then one SOCK_DESTROY per victim (as <c>ss -K</c> does). Needs CAP_NET_ADMIN and
/// a kernel with CONFIG_INET_DIAG_DESTROY. Each call opens a fresh socket from <paramref name="open"/>, so the network
/// namespace is the opener's.
/// </summary>
public sealed class SockDiagTcpResetter(Func<INetlinkTransport>? open = null, TimeProvider? timeProvider = null, SocketOwners? owners = null) : ITcpResetter
{
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    private readonly Func<INetlinkTransport> _open = open ?? (() => NetlinkSocket.Open(NetlinkProtocol.SockDiag));
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly SocketOwners _owners = owners ?? new SocketOwners();

    public async ValueTask<TcpResetResult> ResetAsync(TcpResetRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.OwnerPids.Count == 0 && request.RemotePorts.Count == 0)
            throw new ArgumentException("reset-tcp needs owner processes or remote ports", nameof(request));
        using var socket = Open();
        var sockets = new List<InetDiagSocket>();
        foreach (var family in new[] { AfInet, AfInet6 })
            sockets.AddRange(await DumpAsync(socket, family, cancellationToken).ConfigureAwait(false));
        var owners = _owners.Read(request.OwnerPids.Count > 0 ? request.OwnerPids : null);
        var selection = Select(sockets, owners, request, _time.GetUtcNow());
        var destroyed = new List<DestroyedConnection>();
        var gone = 0;
        if (request.DryRun)
        {
            foreach (var victim in selection.Victims)
                destroyed.Add(new DestroyedConnection(victim.Local, victim.Remote, owners.GetValueOrDefault(victim.Inode), victim.Times?.Silent ?? TimeSpan.Zero));
            return new TcpResetResult(destroyed, selection.Matched, selection.SparedHeardSince, 0) { Undecided = selection.Undecided };
        }

        var buffer = new byte[8192];
        foreach (var victim in selection.Victims)
        {
            var sequence = socket.NextSequence();
            await SendAsync(socket, InetDiagCodec.DestroyRequest(victim, sequence), cancellationToken).ConfigureAwait(false);
            var errno = await ReceiveAckAsync(socket, buffer, sequence, cancellationToken).ConfigureAwait(false);
            switch (errno)
            {
                case 0:
                    owners.TryGetValue(victim.Inode, out var owner);
                    destroyed.Add(new DestroyedConnection(victim.Local, victim.Remote, owner, victim.Times?.Silent ?? TimeSpan.Zero));
                    break;
                case Enoent:
                    gone++; // closed meanwhile
                    break;
                case Eopnotsupp:
                    throw new TcpResetException("the kernel cannot destroy sockets (built without CONFIG_INET_DIAG_DESTROY)");
                default:
                    throw new TcpResetException($"SOCK_DESTROY of {victim} failed: {new SocketException(errno).Message}");
            }
        }

        return new TcpResetResult(destroyed, selection.Matched, selection.SparedHeardSince, gone) { Undecided = selection.Undecided };
    }

    /// <summary>
    /// The sockets to destroy: established, not loopback, matching the owner/port/local-address filters, and silent
    /// (nothing received) for longer than the time since <see cref="TcpResetRequest.ChangedAt"/>, or with data
    /// unacknowledged for <see cref="TcpResetRequest.UnackedGrace"/>. Pure; for tests.
    /// </summary>
    public static TcpSelection Select(IEnumerable<InetDiagSocket> sockets, IReadOnlyDictionary<uint, SocketOwner> owners, TcpResetRequest request, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(sockets);
        ArgumentNullException.ThrowIfNull(owners);
        ArgumentNullException.ThrowIfNull(request);
        var sinceChange = now - request.ChangedAt;
        var victims = new List<InetDiagSocket>();
        int matched = 0, spared = 0, undecided = 0;
        foreach (var s in sockets)
        {
            if (s.State != TcpEstablished || IPAddress.IsLoopback(s.Remote.Address) || s.Remote.Address.IsIPv6LinkLocal)
                continue;
            if (request.OwnerPids.Count > 0 && !(owners.TryGetValue(s.Inode, out var owner) && request.OwnerPids.Contains(owner.Pid)))
                continue;
            if (request.RemotePorts.Count > 0 && !request.RemotePorts.Contains(s.Remote.Port))
                continue;
            if (request.LocalAddresses.Count > 0 && !request.LocalAddresses.Contains(Unmapped(s.Local.Address)))
                continue;
            matched++;
            if (s.Times is not { } times)
            {
                spared++; // no tcp_info to tell
                continue;
            }

            // Nothing since the change, or data outstanding without an ACK for longer than any round trip.
            var unackedTooLong = times.Unacked > 0 && TimeSpan.FromMilliseconds(times.LastAckReceivedMs) >= request.UnackedGrace;
            if (times.Silent >= sinceChange || unackedTooLong)
                victims.Add(s);
            else if (times.Unacked > 0)
                undecided++;
            else
                spared++;
        }

        return new TcpSelection(victims, matched, spared) { Undecided = undecided };
    }

    private static IPAddress Unmapped(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private INetlinkTransport Open()
    {
        try
        {
            return _open();
        }
        catch (Exception ex) when (ex is SocketException or IOException or UnauthorizedAccessException)
        {
            throw new TcpResetException($"cannot open a sock_diag socket: {ex.Message}", ex);
        }
    }

    private async ValueTask<List<InetDiagSocket>> DumpAsync(INetlinkTransport socket, byte family, CancellationToken cancellationToken)
    {
        var sequence = socket.NextSequence();
        await SendAsync(socket, InetDiagCodec.DumpRequest(sequence, family, 1u << TcpEstablished), cancellationToken).ConfigureAwait(false);
        var sockets = new List<InetDiagSocket>();
        var buffer = new byte[1 << 17];
        using var timer = new CancellationTokenSource(RequestTimeout, _time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        while (true)
        {
            var received = await ReceiveAsync(socket, buffer, timeout, cancellationToken).ConfigureAwait(false);
            var result = InetDiagCodec.Parse(buffer.AsSpan(0, received));
            if (result.Error is not null)
                throw new TcpResetException($"malformed sock_diag dump: {result.Error}");
            sockets.AddRange(result.Sockets);
            if (result.Acks.FirstOrDefault(a => a.Sequence == sequence && a.Errno != 0) is { Errno: not 0 } failed)
                throw new TcpResetException($"sock_diag dump refused: {new SocketException(failed.Errno).Message}");
            if (result.Done)
                return sockets;
        }
    }

    private async ValueTask<int> ReceiveAckAsync(INetlinkTransport socket, byte[] buffer, uint sequence, CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource(RequestTimeout, _time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        while (true)
        {
            var received = await ReceiveAsync(socket, buffer, timeout, cancellationToken).ConfigureAwait(false);
            foreach (var ack in InetDiagCodec.Parse(buffer.AsSpan(0, received)).Acks)
            {
                if (ack.Sequence == sequence)
                    return ack.Errno;
            }
        }
    }

    private static async ValueTask<int> ReceiveAsync(INetlinkTransport socket, byte[] buffer, CancellationTokenSource timeout, CancellationToken cancellationToken)
    {
        try
        {
            return await socket.ReceiveAsync(buffer, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TcpResetException($"sock_diag did not answer within {RequestTimeout.TotalSeconds:0}s");
        }
        catch (Exception ex) when (ex is SocketException or NetlinkOverflowException)
        {
            throw new TcpResetException($"sock_diag receive failed: {ex.Message}", ex);
        }
    }

    private static async ValueTask SendAsync(INetlinkTransport socket, byte[] request, CancellationToken cancellationToken)
    {
        try
        {
            await socket.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            throw new TcpResetException($"sock_diag send failed: {ex.Message}", ex);
        }
    }
}

/// <summary>What <see cref="SockDiagTcpResetter.Select"/> chose, and how many matching connections it spared.</summary>
public sealed record TcpSelection(IReadOnlyList<InetDiagSocket> Victims, int Matched, int SparedHeardSince)
{
    /// <summary>Data outstanding, unacknowledged for less than the grace: look again.</summary>
    public int Undecided { get; init; }
}
