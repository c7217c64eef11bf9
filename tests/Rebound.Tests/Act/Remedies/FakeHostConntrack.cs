using Rebound.Act.Remedies;
using Rebound.Act.Router;

namespace Rebound.Tests.Act.Remedies;

/// <summary>The host's conntrack table in memory: entries, deletes by id, and one leak that reappears after a delete as a real kernel would make it.</summary>
internal sealed class FakeHostConntrack : IHostConntrack
{
    public List<ConntrackEntry> Entries { get; } = [];

    /// <summary>Appears once right after the first delete, as a packet that slipped out untranslated would.</summary>
    public ConntrackEntry? LeakAfterDelete { get; set; }

    public ValueTask<IReadOnlyList<ConntrackEntry>> ListAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<ConntrackEntry>>([.. Entries]);

    public ValueTask<int> DeleteAsync(IReadOnlyCollection<ConntrackEntry> entries, CancellationToken cancellationToken)
    {
        var removed = Entries.RemoveAll(e => entries.Any(x => x.Id == e.Id));
        if (LeakAfterDelete is { } leak)
        {
            Entries.Add(leak);
            LeakAfterDelete = null;
        }

        return ValueTask.FromResult(removed);
    }
}
