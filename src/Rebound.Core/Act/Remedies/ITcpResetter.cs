using System.Net;

namespace Rebound.Act.Remedies;

/// <summary>
/// reset-tcp: destroys (SOCK_DESTROY) the established TCP connections that cannot have survived a confirmed change of
/// the public address, so their owners get an error at once and reconnect, instead of waiting for TCP to give up
/// (Linux: ~15 min with tcp_retries2; tailscaled's long-poll: 120 s). Real: <see cref="SockDiagTcpResetter"/>.
/// </summary>
public interface ITcpResetter
{
    ValueTask<TcpResetResult> ResetAsync(TcpResetRequest request, CancellationToken cancellationToken);
}

/// <summary>
/// Which connections to reset. At least one of <see cref="OwnerPids"/> and <see cref="RemotePorts"/> must be given
/// (both: a connection must match both). Dead, and destroyed: a connection that has received nothing (no data, no
/// ACK) since <see cref="ChangedAt"/>, or one whose outstanding data has gone unacknowledged for
/// <see cref="UnackedGrace"/> (a reply already in flight at the switch can arrive after the change is confirmed,
/// and a request sent next then dies). A connection with data outstanding for less than that is
/// <see cref="TcpResetResult.Undecided"/>; one that keeps hearing from its peer is spared.
/// </summary>
/// <param name="ChangedAt">When the address change was confirmed (the trigger's detection time).</param>
public sealed record TcpResetRequest(DateTimeOffset ChangedAt)
{
    /// <summary>Only sockets held by these processes.</summary>
    public IReadOnlyCollection<int> OwnerPids { get; init; } = [];

    /// <summary>Only connections to these remote ports.</summary>
    public IReadOnlyCollection<int> RemotePorts { get; init; } = [];

    /// <summary>Only connections from these local addresses (the changed uplink's); empty: any.</summary>
    public IReadOnlyCollection<IPAddress> LocalAddresses { get; init; } = [];

    /// <summary>How long outstanding data may go unacknowledged before the connection counts as dead (well above a round trip).</summary>
    public TimeSpan UnackedGrace { get; init; } = TimeSpan.FromSeconds(1.5);

    /// <summary>Only find them: <see cref="TcpResetResult.Destroyed"/> lists what would be destroyed (for diagnosis and verification).</summary>
    public bool DryRun { get; init; }
}

/// <summary>One destroyed connection, for the journal.</summary>
public sealed record DestroyedConnection(IPEndPoint Local, IPEndPoint Remote, SocketOwner? Owner, TimeSpan Silent)
{
    public override string ToString() =>
        $"tcp {Local} -> {Remote} ({Owner?.ToString() ?? "owner unknown"}, silent {Silent.TotalSeconds:0.0} s)";
}

/// <summary>
/// What reset-tcp did: the connections destroyed, how many matching ones were spared because they still hear from
/// their peer, and how many are <see cref="Undecided"/> (data outstanding, not yet for <see cref="TcpResetRequest.UnackedGrace"/>).
/// </summary>
public sealed record TcpResetResult(IReadOnlyList<DestroyedConnection> Destroyed, int Matched, int SparedHeardSince, int AlreadyGone)
{
    public int Undecided { get; init; }

    public string Describe() =>
        Destroyed.Count == 0
            ? $"no connection to reset ({Matched} matched, {SparedHeardSince} heard from since the change" + (Undecided > 0 ? $", {Undecided} waiting for an ACK" : "") + ")"
            : $"destroyed {Destroyed.Count}: {string.Join("; ", Destroyed)}" + (SparedHeardSince > 0 ? $"; spared {SparedHeardSince} heard from since the change" : "");
}

/// <summary>sock_diag could not be used (no socket, the kernel refused, SOCK_DESTROY not built in); one line.</summary>
public sealed class TcpResetException : Exception
{
    public TcpResetException()
    {
    }

    public TcpResetException(string message)
        : base(message)
    {
    }

    public TcpResetException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
