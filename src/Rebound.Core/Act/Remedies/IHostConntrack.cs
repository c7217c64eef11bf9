using Rebound.Act.Router;

namespace Rebound.Act.Remedies;

/// <summary>The host's own conntrack table as hop-port needs it: every entry, and deleting exact entries. Real: <see cref="NetlinkHostConntrack"/>.</summary>
public interface IHostConntrack
{
    ValueTask<IReadOnlyList<ConntrackEntry>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Deletes exactly these entries (tuple + id); returns how many the kernel removed.</summary>
    ValueTask<int> DeleteAsync(IReadOnlyCollection<ConntrackEntry> entries, CancellationToken cancellationToken);
}

/// <summary>Over router mode's ctnetlink client (<see cref="NetlinkConntrackTable"/>), in the caller's network namespace.</summary>
public sealed class NetlinkHostConntrack(NetlinkConntrackTable? table = null) : IHostConntrack
{
    private readonly NetlinkConntrackTable _table = table ?? new NetlinkConntrackTable();

    public ValueTask<IReadOnlyList<ConntrackEntry>> ListAsync(CancellationToken cancellationToken) => _table.ListAsync(cancellationToken);

    public ValueTask<int> DeleteAsync(IReadOnlyCollection<ConntrackEntry> entries, CancellationToken cancellationToken) =>
        entries.Count == 0 ? ValueTask.FromResult(0) : _table.DeleteAsync(entries, cancellationToken);
}
