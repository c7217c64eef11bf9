using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Rebound.Lab.Tests.Harness;

/// <summary>One JSON line from `rebound watch --json`, with the moment it was read.</summary>
public sealed partial class ReboundEvent
{
    private ReboundEvent(string line, JsonElement root, DateTimeOffset received)
    {
        Line = line;
        Root = root;
        Received = received;
    }

    /// <summary>The raw line, for failure messages.</summary>
    public string Line { get; }

    public JsonElement Root { get; }

    /// <summary>When the harness read the line.</summary>
    public DateTimeOffset Received { get; }

    /// <summary>The "event" member ("started", "public-address-changed", ...).</summary>
    public string Name => GetString("event") ?? "";

    /// <summary>The "time" member, parsed (contract: RFC 3339 UTC with milliseconds).</summary>
    public DateTimeOffset Time =>
        DateTimeOffset.Parse(GetString("time") ?? throw new FormatException($"no time in {Line}"), CultureInfo.InvariantCulture);

    /// <summary>Parses a line; throws FormatException when it is not a JSON object.</summary>
    public static ReboundEvent Parse(string line, DateTimeOffset received)
    {
        using var doc = JsonDocument.Parse(line);
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"not a JSON object: {line}");
        }

        return new ReboundEvent(line, doc.RootElement.Clone(), received);
    }

    /// <summary>A string member at a path ("addresses", "ipv4"); null when absent or JSON null.</summary>
    public string? GetString(params string[] path)
    {
        var e = Root;
        foreach (var p in path)
        {
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(p, out e))
            {
                return null;
            }
        }

        return e.ValueKind == JsonValueKind.String ? e.GetString() : null;
    }

    public bool Has(string member) => Root.TryGetProperty(member, out _);

    /// <summary>Checks the members every event must have: "event", and "time" like 2026-11-26T04:40:00.123Z.</summary>
    public void AssertEnvelope()
    {
        Assert.False(string.IsNullOrEmpty(Name), $"event without \"event\": {Line}");
        var time = GetString("time");
        Assert.True(time is not null && TimeFormat().IsMatch(time), $"\"time\" is not RFC 3339 UTC with milliseconds: {Line}");
    }

    public override string ToString() => Line;

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")]
    private static partial Regex TimeFormat();
}
