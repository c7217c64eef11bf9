using System.Text.Json;

namespace Rebound.Record;

/// <summary>
/// Something the agent itself did that belongs in the journal: <c>config-reloaded</c>,
/// <c>config-rejected</c> (SIGHUP with an invalid file: the running configuration stays), <c>agent-started</c>,
/// <c>agent-stopping</c>, <c>agent-warning</c>. <see cref="Message"/> is one line without secrets.
/// </summary>
public sealed record AgentNotice(DateTimeOffset Time, string Name, string Message)
{
    public RecordedEvent ToRecorded() =>
        new(Time, Name, null, EventHub.Render(json => Write(json, this)), this);

    public static void Write(Utf8JsonWriter json, AgentNotice notice)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(notice);
        EventTime.WriteEnvelope(json, notice.Time, notice.Name);
        json.WriteString("message", notice.Message);
        json.WriteEndObject();
    }
}
