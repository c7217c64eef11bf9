namespace Rebound.Record;

/// <summary>
/// One event as everything after the console sees it: the journal, metrics, the status page, hooks.
/// <paramref name="Json"/> is the same object <c>rebound run --json</c> prints (without newline);
/// <paramref name="Source"/> is the typed event (a WanEvent, DdnsEvent or HealEvent) for consumers that need fields.
/// </summary>
public sealed record RecordedEvent(DateTimeOffset Time, string Kind, string? Target, string Json, object Source);

/// <summary>Receives every event. Must not block: slow work (disk, hooks) is queued by the sink itself.</summary>
public interface IEventSink
{
    void OnEvent(RecordedEvent recorded);
}
