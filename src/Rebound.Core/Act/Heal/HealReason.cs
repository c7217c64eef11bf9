using Rebound.Record;

namespace Rebound.Act.Heal;

/// <summary>
/// Why the engine looks at a target now: a WAN event that may have broken it, or its own schedule. The engine and the
/// targets decide on these values, never on their spelling; the JSON <c>reason</c> of <c>heal-started</c> and
/// <c>heal-skipped</c> is the spelling (a WAN event's reason is spelt as that event is).
/// </summary>
public enum HealReason
{
    /// <summary>The watcher's first view of the WAN (<c>started</c>).</summary>
    [JsonName("startup")]
    Startup,

    [JsonName("public-address-changed")]
    PublicAddressChanged,

    [JsonName("upstream-restored")]
    UpstreamRestored,

    [JsonName("local-network-changed")]
    LocalNetworkChanged,

    /// <summary>Router mode: a WAN's own probes stopped or started coming back (<c>uplink-down</c>, <c>uplink-up</c>).</summary>
    [JsonName("uplink-changed")]
    UplinkChanged,

    /// <summary>The engine's own check every <see cref="HealEngineOptions.CheckInterval"/>.</summary>
    [JsonName("periodic")]
    Periodic,

    /// <summary>A ladder that ended unverified, tried again after its backoff.</summary>
    [JsonName("retry")]
    Retry,
}
