using System.Net;

namespace Rebound.Act.Router;

/// <summary>
/// The part of the router's conntrack table router mode needs: the entries translated to an address (their
/// reply tuple's destination), and deleting them. Implementations: <see cref="NetlinkConntrackTable"/>
/// (ctnetlink), <see cref="ConntrackToolTable"/> (the conntrack tool) and <see cref="FallbackConntrackTable"/>.
/// </summary>
public interface IConntrackTable
{
    /// <summary>For the journal: "ctnetlink" or "conntrack tool".</summary>
    string Via { get; }

    /// <summary>How many entries have <paramref name="address"/> as their reply destination.</summary>
    ValueTask<int> CountTranslatedToAsync(IPAddress address, CancellationToken cancellationToken);

    /// <summary>
    /// How many entries are translated to each of <paramref name="addresses"/> (every one is a key, 0 when none),
    /// read in one pass where the transport allows: a periodic check costs one dump, not one per address.
    /// </summary>
    ValueTask<IReadOnlyDictionary<IPAddress, int>> CountTranslatedToAsync(IReadOnlyCollection<IPAddress> addresses, CancellationToken cancellationToken);

    /// <summary>Deletes the entries whose reply destination is <paramref name="address"/>; returns how many went.</summary>
    ValueTask<ConntrackFlushResult> DeleteTranslatedToAsync(IPAddress address, CancellationToken cancellationToken);

    /// <summary>
    /// Every entry with its mark and status, for matching flow by flow; null when this transport can only filter by
    /// address (the conntrack tool), and router mode then matches by address alone.
    /// </summary>
    ValueTask<IReadOnlyList<ConntrackEntry>?> TryListAsync(CancellationToken cancellationToken);

    /// <summary>Deletes exactly these entries (by original tuple, zone and id); returns how many the kernel removed.</summary>
    ValueTask<int> DeleteEntriesAsync(IReadOnlyCollection<ConntrackEntry> entries, CancellationToken cancellationToken);
}

/// <summary>What a flush did: entries deleted, and by which mechanism (with the reason when it fell back).</summary>
public sealed record ConntrackFlushResult(int Deleted, string Via);

/// <summary>The conntrack table could not be read or changed; the message is one line.</summary>
public sealed class ConntrackException : Exception
{
    public ConntrackException()
    {
    }

    public ConntrackException(string message)
        : base(message)
    {
    }

    public ConntrackException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
