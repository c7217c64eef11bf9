namespace Rebound.Record;

/// <summary>
/// The one place every event passes through after it happened (rendered once, by <see cref="EventCatalogue.Record"/>,
/// to the JSON that <c>rebound run --json</c> prints): hands it to each sink (journal, metrics, status, hooks, the
/// page's live stream). A sink that throws is isolated: the others and the agent carry on.
/// </summary>
public sealed class EventHub
{
    private readonly Lock _gate = new();
    private IEventSink[] _sinks = [];

    /// <summary>Told when a sink throws; the event still reaches every other sink.</summary>
    public Action<IEventSink, Exception>? SinkFailed { get; set; }

    public void Add(IEventSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        lock (_gate)
        {
            _sinks = [.. _sinks, sink];
        }
    }

    public void Remove(IEventSink sink)
    {
        lock (_gate)
        {
            _sinks = [.. _sinks.Where(s => !ReferenceEquals(s, sink))];
        }
    }

    public void Publish(RecordedEvent recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        foreach (var sink in Volatile.Read(ref _sinks))
        {
            try
            {
                sink.OnEvent(recorded);
            }
#pragma warning disable CA1031 // A broken sink must not take the agent or the other sinks down.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                SinkFailed?.Invoke(sink, ex);
            }
        }
    }
}
