using System.Net;
using Rebound.Act.Router;

namespace Rebound.Tests.Act.Router;

/// <summary>
/// An in-memory ctnetlink: whole entries (tuples, status, mark, id), listed in one dump and deleted by tuple and id;
/// an id no longer present is not an error and not counted, as ENOENT from the kernel.
/// </summary>
internal sealed class FakeCtnetlinkTable : IConntrackTable
{
    private uint _nextId = 100;

    public List<ConntrackEntry> Entries { get; } = [];

    public List<ConntrackEntry> Deleted { get; } = [];

    public string Via => "ctnetlink";

    /// <summary>A LAN flow NATed to <paramref name="translatedTo"/> (SRC_NAT set), with a ct mark when given.</summary>
    public ConntrackEntry AddLanFlow(ushort lanPort, IPAddress translatedTo, uint? mark = null, byte protocol = ConntrackConstants.IpprotoUdp)
    {
        var lan = IPAddress.Parse("10.77.0.2");
        var server = IPAddress.Parse("203.0.113.10");
        var entry = new ConntrackEntry(
            ConntrackConstants.AfInet,
            new ConntrackTuple(lan, server, protocol, lanPort, 5555),
            new ConntrackTuple(server, translatedTo, protocol, 5555, lanPort),
            ConntrackConstants.StatusSrcNat,
            _nextId++,
            0) { Mark = mark };
        Entries.Add(entry);
        return entry;
    }

    /// <summary>The router's own flow from its WAN address (no NAT).</summary>
    public ConntrackEntry AddRouterFlow(IPAddress from)
    {
        var server = IPAddress.Parse("203.0.113.10");
        var entry = new ConntrackEntry(ConntrackConstants.AfInet, new ConntrackTuple(from, server, ConntrackConstants.IpprotoUdp, 33000, 3478), new ConntrackTuple(server, from, ConntrackConstants.IpprotoUdp, 3478, 33000), 0, _nextId++, 0);
        Entries.Add(entry);
        return entry;
    }

    public ValueTask<int> CountTranslatedToAsync(IPAddress address, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Entries.Count(e => e.Reply.Destination.Equals(address)));

    public ValueTask<IReadOnlyDictionary<IPAddress, int>> CountTranslatedToAsync(IReadOnlyCollection<IPAddress> addresses, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyDictionary<IPAddress, int>>(addresses.Distinct().ToDictionary(a => a, a => Entries.Count(e => e.Reply.Destination.Equals(a))));

    public ValueTask<ConntrackFlushResult> DeleteTranslatedToAsync(IPAddress address, CancellationToken cancellationToken)
    {
        var victims = Entries.Where(e => e.Reply.Destination.Equals(address)).ToList();
        return ValueTask.FromResult(new ConntrackFlushResult(Remove(victims), Via));
    }

    public ValueTask<IReadOnlyList<ConntrackEntry>?> TryListAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<ConntrackEntry>?>([.. Entries]);

    public ValueTask<int> DeleteEntriesAsync(IReadOnlyCollection<ConntrackEntry> entries, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Remove(entries));

    private int Remove(IEnumerable<ConntrackEntry> victims)
    {
        var n = 0;
        foreach (var v in victims.ToList())
        {
            var i = Entries.FindIndex(e => e.Id == v.Id && e.Original == v.Original);
            if (i >= 0)
            {
                Deleted.Add(Entries[i]);
                Entries.RemoveAt(i);
                n++;
            }
        }

        return n;
    }
}
