using System.Text.Json;
using Rebound.Act.Ddns.Engine;
using Rebound.Act.Heal;
using Rebound.Act.Hooks;
using Rebound.Act.Notify;
using Rebound.Decide;
using Rebound.Sense.Uplinks;

namespace Rebound.Record;

/// <summary>
/// Every kind of event the agent emits, in the order of the README's tables. The printer, the journal, metrics, the
/// status board and page, hooks, <c>check-config</c> and <c>rebound events --kind</c> know events only through it.
/// Adding an event: its record type (deriving from its family's base), its field writer and text, and one line here.
/// </summary>
public static class EventCatalogue
{
    private static readonly IReadOnlyList<string?> NoTarget = [null];

    /// <summary>All kinds; names are unique, and so are types.</summary>
    public static IReadOnlyList<EventKind> All { get; } =
    [
        Wan<WatcherStarted>("started", WanEventJson.Write, WanEventText.Format),
        Wan<PublicAddressChanged>("public-address-changed", WanEventJson.Write, WanEventText.Format),
        Wan<UpstreamLost>("upstream-lost", WanEventJson.Write, WanEventText.Format),
        Wan<UpstreamRestored>("upstream-restored", WanEventJson.Write, WanEventText.Format),
        Wan<LocalNetworkChanged>("local-network-changed", WanEventJson.Write, WanEventText.Format),
        Wan<UplinkDown>("uplink-down", UplinkEventJson.Write, UplinkEventJson.Text),
        Wan<UplinkUp>("uplink-up", UplinkEventJson.Write, UplinkEventJson.Text),
        Wan<SourcesDegraded>("sources-degraded", WanEventJson.Write, WanEventText.Format),
        Wan<SourcesRecovered>("sources-recovered", WanEventJson.Write, WanEventText.Format),

        Ddns<DdnsUpdated>("ddns-updated", e => e.Names, DdnsEventJson.Write, DdnsEventJson.Text),
        Ddns<DdnsFailed>("ddns-failed", e => e.Names, DdnsEventJson.Write, DdnsEventJson.Text),
        Ddns<DdnsWarning>("ddns-warning", null, DdnsEventJson.Write, DdnsEventJson.Text),

        Heal<HealStarted>("heal-started", HealEventJson.Write, HealEventJson.Text),
        Heal<HealStep>("heal-step", HealEventJson.Write, HealEventJson.Text),
        Heal<HealVerified>("heal-verified", HealEventJson.Write, HealEventJson.Text),
        Heal<HealFailed>("heal-failed", HealEventJson.Write, HealEventJson.Text),
        Heal<HealSkipped>("heal-skipped", HealEventJson.Write, HealEventJson.Text),
        Heal<HealWarning>("heal-warning", HealEventJson.Write, HealEventJson.Text),

        Hook<HookFailed>("hook-failed", HookEventJson.Write, HookEventJson.Text),
        Hook<HookDropped>("hook-dropped", HookEventJson.Write, HookEventJson.Text),

        new EventKind<NotifyFailed>("notify-failed", EventFamily.Notify, _ => NoTarget, (json, e, _) => NotifyEventJson.Write(json, e), (e, _) => " " + NotifyEventJson.Text(e)),

        Agent<ConfigReloaded>("config-reloaded"),
        Agent<ConfigRejected>("config-rejected"),
    ];

    private static readonly Dictionary<Type, EventKind> ByType = All.ToDictionary(k => k.Type);
    private static readonly Dictionary<string, EventKind> ByName = All.ToDictionary(k => k.Name, StringComparer.Ordinal);

    /// <summary>Every name, in catalogue order.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. All.Select(k => k.Name)];

    /// <summary>The kind of <paramref name="e"/>. Throws for an event type that is not in the catalogue (a programming error).</summary>
    public static EventKind Of(ReboundEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return ByType.TryGetValue(e.GetType(), out var kind)
            ? kind
            : throw new InvalidOperationException($"{e.GetType().Name} is not in the event catalogue");
    }

    /// <summary>The kind named <paramref name="name"/> (exactly as in JSON), or null.</summary>
    public static EventKind? Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return ByName.GetValueOrDefault(name);
    }

    /// <summary>The event as every sink after the console sees it: one copy per target (a DDNS event per record name).</summary>
    public static IReadOnlyList<RecordedEvent> Record(ReboundEvent e) => Of(e).Record(e);

    private static EventKind<T> Wan<T>(string name, Action<Utf8JsonWriter, T> fields, Func<T, string> text)
        where T : WanEvent =>
        new(name, EventFamily.Wan, _ => NoTarget, (json, e, _) => fields(json, e), (e, _) => " " + text(e));

    /// <summary>One copy per record name (<paramref name="names"/>; null: one copy about no name).</summary>
    private static EventKind<T> Ddns<T>(string name, Func<T, IReadOnlyList<string>>? names, Action<Utf8JsonWriter, T, string?> fields, Func<T, string?, string> text)
        where T : DdnsEvent =>
        new(name, EventFamily.Ddns, e => names is null ? NoTarget : [.. names(e)], fields, (e, target) => " " + text(e, target));

    /// <summary>About the heal target (none for an engine-wide warning); <c>target</c> is the first field either way.</summary>
    private static EventKind<T> Heal<T>(string name, Action<Utf8JsonWriter, T> fields, Func<T, string> text)
        where T : HealEvent =>
        new(
            name,
            EventFamily.Heal,
            e => [e.Target.Length == 0 ? null : e.Target],
            (json, e, _) =>
            {
                json.WriteString("target", e.Target);
                fields(json, e);
            },
            (e, _) => $"{(e.Target.Length == 0 ? "" : " " + e.Target)} {text(e)}");

    private static EventKind<T> Hook<T>(string name, Action<Utf8JsonWriter, T> fields, Func<T, string> text)
        where T : HookEvent =>
        new(
            name,
            EventFamily.Hook,
            _ => NoTarget,
            (json, e, _) =>
            {
                json.WriteNumber("hook", e.Hook);
                json.WriteString("label", e.Label);
                fields(json, e);
            },
            (e, _) => " " + text(e));

    private static EventKind<T> Agent<T>(string name)
        where T : AgentNotice =>
        new(name, EventFamily.Agent, _ => NoTarget, (json, e, _) => json.WriteString("message", e.Message), (e, _) => $": {e.Message}");
}
