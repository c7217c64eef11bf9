namespace Rebound.Record;

/// <summary>
/// Something the agent emits: a WAN event, a DDNS, heal or hook runner event, or a notice about the agent itself.
/// Its kind (JSON name, family, JSON fields, text line) is its entry in <see cref="EventCatalogue"/>.
/// </summary>
public abstract record ReboundEvent(DateTimeOffset Time)
{
    /// <summary>This event's entry in the catalogue.</summary>
    public EventKind Kind => EventCatalogue.Of(this);

    /// <summary>The stable name of the JSON <c>event</c> field, e.g. <c>public-address-changed</c>.</summary>
    public string Name => Kind.Name;
}
