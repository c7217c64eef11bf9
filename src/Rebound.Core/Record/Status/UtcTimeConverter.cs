using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rebound.Record.Status;

/// <summary>Times in the snapshot look like the event stream's: RFC 3339 UTC with milliseconds.</summary>
public sealed class UtcTimeConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : throw new JsonException("expected an RFC 3339 time");
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(EventTime.Format(value));
    }
}
