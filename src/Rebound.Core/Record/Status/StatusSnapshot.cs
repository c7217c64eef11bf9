using System.Text.Json.Serialization;

namespace Rebound.Record.Status;

/// <summary>
/// What <c>/status.json</c> serves and <c>rebound status</c> prints: the agent's view right now.
/// Lists are newest first. Times are UTC; durations are seconds.
/// </summary>
public sealed record StatusSnapshot(
    string Version,
    DateTimeOffset StartedAt,
    DateTimeOffset Now,
    double UptimeSeconds,
    IReadOnlyList<FamilyStatus> Families,
    FailoverStatus? LastFailover,
    IReadOnlyList<FailoverStatus> Failovers,
    IReadOnlyList<TargetStatus> Targets)
{
    /// <summary>Router mode: each WAN from its own probes, by interface name (empty otherwise).</summary>
    public IReadOnlyList<UplinkView> Uplinks { get; init; } = [];
}

/// <summary>One WAN in router mode. <see cref="State"/>: up, down or unknown; <see cref="Since"/>: when it entered it.</summary>
public sealed record UplinkView(string Interface, string State, string? Ipv4, string? Ipv6, DateTimeOffset? Since);

/// <summary>One address family. <see cref="Up"/> is null until the watcher has started.</summary>
public sealed record FamilyStatus(string Family, string? Address, bool? Up, DateTimeOffset? Since);

/// <summary>
/// A confirmed WAN change (public-address-changed, upstream-lost, upstream-restored) and what followed it.
/// <see cref="DetectSeconds"/>: first observation to confirmation, when the watcher reported it.
/// </summary>
public sealed record FailoverStatus(
    DateTimeOffset Time,
    string Kind,
    string Family,
    string? Old,
    string? New,
    double? DetectSeconds,
    IReadOnlyList<TargetOutcome> Targets);

/// <summary>
/// What one target did after a failover. <see cref="Kind"/>: <c>heal</c> or <c>ddns</c>.
/// <see cref="Result"/>: healing, verified, failed, skipped (heal); published, unchanged, failed (ddns).
/// <see cref="Seconds"/>: from the detecting event to verified/published.
/// </summary>
public sealed record TargetOutcome(string Target, string Kind, string Result, string? Action, double? Seconds, string? Detail);

/// <summary>The latest state of one heal or DDNS target; <see cref="Address"/> is the DNS records' address (ddns).</summary>
public sealed record TargetStatus(
    string Target,
    string Kind,
    string Result,
    DateTimeOffset Time,
    string? Action,
    double? Seconds,
    string? Detail,
    string? Address);

/// <summary>Source-generated (AOT-safe) JSON for the snapshot: camelCase names, nulls written.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = false, Converters = [typeof(UtcTimeConverter)])]
[JsonSerializable(typeof(StatusSnapshot))]
public sealed partial class StatusJsonContext : JsonSerializerContext;
