using System.Net;
using System.Net.Sockets;

namespace Rebound.Act.Remedies;

/// <summary>
/// hop-port: makes a daemon's UDP flows from local port P leave from another source port, without touching the
/// daemon. A rule in Rebound's own nftables table (<c>inet rebound_hop</c>) masquerades <c>udp sport P</c> to a port
/// range, and the host's conntrack entries of P are deleted, so the next packet is a new flow for the router, which
/// translates it on the live WAN. Lifecycle of a port: <see cref="HopAsync"/> (rule on, port in sets <c>active4/6</c>
/// and <c>hopped</c>) → <see cref="ReleaseAsync"/> (rule off for new flows; the healed entries keep their translation
/// because the table's keeper rule keeps conntrack and NAT running) → <see cref="CleanupAsync"/> (no healed entry
/// left: the port leaves <c>hopped</c>; an empty table is deleted). The table outlives the agent on purpose: healed
/// flows keep working after it stops; <see cref="InspectAsync"/> finds a previous run's leftovers.
/// </summary>
public interface IPortHopper
{
    /// <summary>Installs the rule for the request's ports and family, deletes their untranslated entries, and sweeps again while packets still leak out of the old port.</summary>
    ValueTask<HopResult> HopAsync(HopRequest request, CancellationToken cancellationToken);

    /// <summary>One more delete pass: untranslated entries of these ports (packets that left from the old port anyway). Returns how many were deleted.</summary>
    ValueTask<int> SweepAsync(IReadOnlyCollection<int> ports, AddressFamily family, CancellationToken cancellationToken);

    /// <summary>Stops translating new flows from these ports; flows already healed keep theirs.</summary>
    ValueTask<string> ReleaseAsync(IReadOnlyCollection<int> ports, CancellationToken cancellationToken);

    /// <summary>Forgets released ports with no healed entry left and deletes the table once it holds nothing. Returns what it did, or null when nothing.</summary>
    ValueTask<string?> CleanupAsync(CancellationToken cancellationToken);

    /// <summary>The table as it is now (absent, ours, or something else under our name).</summary>
    ValueTask<HopTableState> InspectAsync(CancellationToken cancellationToken);

    /// <summary>How many of the host's entries of these ports carry a hop translation (the healed flows).</summary>
    ValueTask<int> CountHealedAsync(IReadOnlyCollection<int> ports, CancellationToken cancellationToken);
}

/// <summary>
/// The local UDP ports to hop, their family, and the public address the watcher sees for it: when that address is
/// the host's own, there is no NAT upstream, so a new source port would change nothing.
/// </summary>
public sealed record HopRequest(IReadOnlyCollection<int> Ports, AddressFamily Family, IPAddress? PublicAddress);

/// <summary>
/// What a hop did. <see cref="Applied"/> false with <see cref="NotApplicableReason"/>: it does not apply here (no NAT
/// upstream, IPv6 without NAT, no nftables), and the ladder should go on. <see cref="Leaking"/>: untranslated entries
/// still found after the last sweep.
/// </summary>
public sealed record HopResult(bool Applied, string? NotApplicableReason, int Deleted, int Sweeps, int Leaking, string Detail)
{
    public static HopResult NotApplicable(string reason) => new(false, reason, 0, 0, 0, reason);
}

/// <summary>
/// Rebound's table as found. <see cref="Foreign"/>: a table of that name whose shape is not ours (then it is replaced,
/// keeping its port sets). <see cref="Active"/> ports change new flows; <see cref="Hopped"/> ports may have healed flows.
/// </summary>
public sealed record HopTableState(bool Present, bool Foreign, IReadOnlySet<int> Active4, IReadOnlySet<int> Active6, IReadOnlySet<int> Hopped)
{
    public static HopTableState Absent { get; } = new(false, false, new HashSet<int>(), new HashSet<int>(), new HashSet<int>());

    public IReadOnlySet<int> Active => new HashSet<int>(Active4.Concat(Active6));

    public override string ToString() =>
        !Present ? "absent"
        : $"{(Foreign ? "foreign shape; " : "")}active ipv4 [{string.Join(", ", Active4.Order())}], ipv6 [{string.Join(", ", Active6.Order())}], hopped [{string.Join(", ", Hopped.Order())}]";
}

/// <summary>nft failed, or the conntrack table could not be read or changed; one line.</summary>
public sealed class HopPortException : Exception
{
    public HopPortException()
    {
    }

    public HopPortException(string message)
        : base(message)
    {
    }

    public HopPortException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
