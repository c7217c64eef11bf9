namespace Rebound.Record;

/// <summary>
/// One event as everything after the console sees it: the journal, metrics, the status page, hooks. Made by
/// <see cref="EventKind.Record"/>: <see cref="Json"/> is the object <c>rebound run --json</c> prints (without newline),
/// <see cref="Target"/> what this copy is about (a DDNS event is recorded once per record name).
/// </summary>
public sealed class RecordedEvent
{
    internal RecordedEvent(ReboundEvent source, string? target, string json)
    {
        Source = source;
        Target = target;
        Json = json;
    }

    /// <summary>The typed event; <c>Source.Kind</c> is its catalogue entry.</summary>
    public ReboundEvent Source { get; }

    public string? Target { get; }

    public string Json { get; }

    public DateTimeOffset Time => Source.Time;

    /// <summary>The JSON <c>event</c> name, e.g. <c>heal-step</c>: what the journal stores and hooks match.</summary>
    public string Kind => Source.Name;

    /// <summary>The one human line <c>rebound run</c> prints without <c>--json</c>.</summary>
    public string Text => Source.Kind.Text(Source, Target);

    /// <summary><see cref="Text"/> without the time.</summary>
    public string Summary => Source.Kind.Summary(Source, Target);
}

/// <summary>Receives every event. Must not block: slow work (disk, hooks) is queued by the sink itself.</summary>
public interface IEventSink
{
    void OnEvent(RecordedEvent recorded);
}
