using System.Net;
using Rebound.Act.Router;

namespace Rebound.Tests.Act.Router;

/// <summary>
/// An in-memory conntrack table: entries keyed by their reply destination, as the kernel's NAT sets it. Like the
/// conntrack tool it matches by address only (no per-flow listing); <see cref="FakeCtnetlinkTable"/> lists flows.
/// </summary>
internal sealed class FakeConntrackTable(string via = "fake") : IConntrackTable
{
    public List<(string Flow, IPAddress TranslatedTo)> Entries { get; } = [];

    public List<IPAddress> Deleted { get; } = [];

    public Exception? Failure { get; set; }

    /// <summary>Runs before each delete, to make things happen while a flush is under way.</summary>
    public Action<IPAddress>? BeforeDelete { get; set; }

    /// <summary>How many times the table was read (one ctnetlink dump each in the real one).</summary>
    public int Reads { get; private set; }

    public string Via => via;

    public ValueTask<int> CountTranslatedToAsync(IPAddress address, CancellationToken cancellationToken)
    {
        ThrowIfFailing();
        Reads++;
        return ValueTask.FromResult(Entries.Count(e => e.TranslatedTo.Equals(address)));
    }

    public ValueTask<IReadOnlyDictionary<IPAddress, int>> CountTranslatedToAsync(IReadOnlyCollection<IPAddress> addresses, CancellationToken cancellationToken)
    {
        ThrowIfFailing();
        Reads++;
        IReadOnlyDictionary<IPAddress, int> counts = addresses.Distinct().ToDictionary(a => a, a => Entries.Count(e => e.TranslatedTo.Equals(a)));
        return ValueTask.FromResult(counts);
    }

    public ValueTask<ConntrackFlushResult> DeleteTranslatedToAsync(IPAddress address, CancellationToken cancellationToken)
    {
        ThrowIfFailing();
        BeforeDelete?.Invoke(address);
        Deleted.Add(address);
        var n = Entries.RemoveAll(e => e.TranslatedTo.Equals(address));
        return ValueTask.FromResult(new ConntrackFlushResult(n, Via));
    }

    public ValueTask<IReadOnlyList<ConntrackEntry>?> TryListAsync(CancellationToken cancellationToken) => ValueTask.FromResult<IReadOnlyList<ConntrackEntry>?>(null);

    public ValueTask<int> DeleteEntriesAsync(IReadOnlyCollection<ConntrackEntry> entries, CancellationToken cancellationToken) =>
        throw new ConntrackException("deletes by address only");

    private void ThrowIfFailing()
    {
        if (Failure is not null)
        {
            throw Failure;
        }
    }
}
