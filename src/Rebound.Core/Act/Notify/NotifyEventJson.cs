using System.Text.Json;

namespace Rebound.Act.Notify;

/// <summary><see cref="NotifyFailed"/>'s fields after <c>time</c> and <c>event</c>, and its human line.</summary>
internal static class NotifyEventJson
{
    public static void Write(Utf8JsonWriter json, NotifyFailed e)
    {
        json.WriteString("label", e.Label);
        json.WriteString("service", e.Service);
        json.WriteString("error", e.Error);
        json.WriteNumber("events", e.Events);
        if (e.RetryInMs is { } retry)
            json.WriteNumber("retryInMs", retry);
        else
            json.WriteNull("retryInMs");
    }

    public static string Text(NotifyFailed e) =>
        $"{e.Label}: {e.Error}; " + (e.RetryInMs is { } retry ? $"trying again in {retry / 1000.0:0.#} s" : e.Events > 0 ? $"{e.Events} event(s) not sent" : "not sent");
}
