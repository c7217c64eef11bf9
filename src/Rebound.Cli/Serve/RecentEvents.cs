using Rebound.Record;

namespace Rebound.Cli.Serve;

/// <summary>The last N events in memory: <c>/journal.json</c>'s source until a persistent journal backs it.</summary>
internal sealed class RecentEvents(int capacity) : IEventSink
{
    private readonly Lock _lock = new();
    private readonly Queue<RecordedEvent> _events = new();

    public void OnEvent(RecordedEvent recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        lock (_lock)
        {
            _events.Enqueue(recorded);
            while (_events.Count > capacity)
            {
                _events.Dequeue();
            }
        }
    }

    /// <summary>The JSON of the newest <paramref name="limit"/> events, oldest first.</summary>
    public IReadOnlyList<string> Latest(int limit)
    {
        lock (_lock)
        {
            return [.. _events.Skip(Math.Max(0, _events.Count - limit)).Select(e => e.Json)];
        }
    }
}
