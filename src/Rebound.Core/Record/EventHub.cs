using System.Buffers;
using System.Text;
using System.Text.Json;
using Rebound.Act.Ddns.Engine;
using Rebound.Decide;

namespace Rebound.Record;

/// <summary>
/// The one place every event passes through after it happened: renders it once to the JSON that
/// <c>rebound run --json</c> prints, then hands it to each sink (journal, metrics, status, hooks, the
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

    /// <summary>A watcher event as it is recorded (no target: it is about the WAN itself).</summary>
    public static RecordedEvent Record(WanEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new RecordedEvent(e.Time, e.Name, null, Render(json => WanEventJson.Write(json, e)), e);
    }

    /// <summary>A DDNS event as recorded: one per record name, that name being the target.</summary>
    public static IReadOnlyList<RecordedEvent> Record(DdnsEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return [.. DdnsEventJson.Names(e).Select(name => new RecordedEvent(e.Time, e.Name, name, Render(json => DdnsEventJson.Write(json, e, name)), e))];
    }

    public static string Render(Action<Utf8JsonWriter> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            write(json);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
