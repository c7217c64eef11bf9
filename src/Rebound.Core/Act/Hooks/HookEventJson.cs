using System.Text.Json;

namespace Rebound.Act.Hooks;

/// <summary>
/// The hook runner's events' own fields, after <c>time</c>, <c>event</c>, <c>hook</c> and <c>label</c>
/// (<see cref="Record.EventCatalogue"/> writes those); and what each says in its human line.
/// </summary>
internal static class HookEventJson
{
    public static void Write(Utf8JsonWriter json, HookFailed e)
    {
        json.WriteString("for", e.ForEvent);
        json.WriteString("error", e.Error);
        if (e.ExitCode is { } code)
            json.WriteNumber("exitCode", code);
        json.WriteBoolean("timedOut", e.TimedOut);
        json.WriteNumber("durationMs", e.DurationMs);
    }

    public static void Write(Utf8JsonWriter json, HookDropped e)
    {
        json.WriteString("for", e.ForEvent);
        json.WriteNumber("droppedTotal", e.DroppedTotal);
    }

    public static string Text(HookFailed e) =>
        $"{e.Label} for {e.ForEvent}: {e.Error} after {e.DurationMs} ms";

    public static string Text(HookDropped e) =>
        $"{e.Label} is behind: {e.ForEvent} dropped ({e.DroppedTotal} dropped so far)";
}
