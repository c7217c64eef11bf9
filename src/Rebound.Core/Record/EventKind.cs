using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Rebound.Record;

/// <summary>Who emits an event kind.</summary>
public enum EventFamily
{
    /// <summary>The watcher: the WAN's state (<c>Decide</c>).</summary>
    [JsonName("wan")]
    Wan,

    [JsonName("ddns")]
    Ddns,

    [JsonName("heal")]
    Heal,

    /// <summary>The hook runner about its own failures; hooks never run for these.</summary>
    [JsonName("hook")]
    Hook,

    /// <summary>The agent about itself (configuration reloads).</summary>
    [JsonName("agent")]
    Agent,

    /// <summary>Notifications and healthcheck pings about their own failures; never notified themselves.</summary>
    [JsonName("notify")]
    Notify,
}

/// <summary>
/// One kind of event in <see cref="EventCatalogue"/>: its JSON name, its family, and how it is written —
/// one JSON object (<c>time</c> and <c>event</c> first, then its own fields in a fixed order) and one human line
/// (<c>time</c>, name, then what happened) per copy. A DDNS event has one copy per record name; others one.
/// </summary>
public abstract class EventKind
{
    private protected EventKind(string name, EventFamily family)
    {
        Name = name;
        Family = family;
    }

    /// <summary>The JSON <c>event</c> field, the journal's kind, what hooks and <c>rebound events --kind</c> name.</summary>
    public string Name { get; }

    public EventFamily Family { get; }

    /// <summary>The event type this kind describes (exactly; the catalogue maps each type to one kind).</summary>
    public abstract Type Type { get; }

    /// <summary>The event as recorded: one copy per target it is about, each rendered to its JSON once.</summary>
    public IReadOnlyList<RecordedEvent> Record(ReboundEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return [.. TargetsOf(e).Select(target => new RecordedEvent(e, target, Json(e, target)))];
    }

    /// <summary>The JSON object of the copy about <paramref name="target"/>, without newline.</summary>
    public string Json(ReboundEvent e, string? target)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            EventTime.WriteEnvelope(json, e.Time, Name);
            WriteFields(json, e, target);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>One line for a terminal: <c>2026-11-26T04:40:00.123Z heal-step wireguard:wg0 keepalive done in 3 ms: sent</c>.</summary>
    public string Text(ReboundEvent e, string? target) => $"{EventTime.Format(e.Time)} {Summary(e, target)}";

    /// <summary>The line without its time: <c>upstream-lost …</c>. What a notification says about the event.</summary>
    public string Summary(ReboundEvent e, string? target) => $"{Name}{Detail(e, target)}";

    public override string ToString() => Name;

    private protected abstract IReadOnlyList<string?> TargetsOf(ReboundEvent e);

    private protected abstract void WriteFields(Utf8JsonWriter json, ReboundEvent e, string? target);

    /// <summary>The text after the name, starting with its separator.</summary>
    private protected abstract string Detail(ReboundEvent e, string? target);
}

/// <summary>An <see cref="EventKind"/> of events of type <typeparamref name="TEvent"/>.</summary>
/// <param name="name">The JSON name.</param>
/// <param name="family">Who emits it.</param>
/// <param name="targets">What each copy is about (null: the event is about no target).</param>
/// <param name="fields">Writes the fields after <c>time</c> and <c>event</c>, for the copy about a target.</param>
/// <param name="detail">The text after the name, starting with its separator.</param>
public sealed class EventKind<TEvent>(
    string name,
    EventFamily family,
    Func<TEvent, IReadOnlyList<string?>> targets,
    Action<Utf8JsonWriter, TEvent, string?> fields,
    Func<TEvent, string?, string> detail) : EventKind(name, family)
    where TEvent : ReboundEvent
{
    public override Type Type => typeof(TEvent);

    private protected override IReadOnlyList<string?> TargetsOf(ReboundEvent e) => targets((TEvent)e);

    private protected override void WriteFields(Utf8JsonWriter json, ReboundEvent e, string? target) => fields(json, (TEvent)e, target);

    private protected override string Detail(ReboundEvent e, string? target) => detail((TEvent)e, target);
}
