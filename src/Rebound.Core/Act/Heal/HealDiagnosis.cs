using Rebound.Record;

namespace Rebound.Act.Heal;

/// <summary>What a target's evidence says is wrong with it (issue 4, "Diagnosis"); the JSON <c>diagnosis</c>.</summary>
public enum HealCondition
{
    /// <summary>Works; nothing to do.</summary>
    [JsonName("healthy")]
    Healthy,

    /// <summary>Our public address changed; the far end must learn the new one.</summary>
    [JsonName("address-changed")]
    AddressChanged,

    /// <summary>The target's long-lived flow is silent while fresh STUN probes succeed: its NAT entry is stuck on the dead path.</summary>
    [JsonName("flow-pinned")]
    FlowPinned,

    /// <summary>The upstream is down: nothing to heal, wait and retry.</summary>
    [JsonName("upstream-down")]
    UpstreamDown,

    /// <summary>The peer's DNS name now resolves to a different address.</summary>
    [JsonName("peer-moved")]
    PeerMoved,

    /// <summary>Broken for a reason the evidence does not narrow down further.</summary>
    [JsonName("unhealthy")]
    Unhealthy,
}

/// <summary>A target's condition and the observations behind it, one short line each, journaled as they are.</summary>
public sealed record HealDiagnosis(HealCondition Condition, IReadOnlyList<string> Evidence)
{
    public bool NeedsHealing => Condition is not (HealCondition.Healthy or HealCondition.UpstreamDown);

    public static HealDiagnosis Healthy(params string[] evidence) => new(HealCondition.Healthy, evidence);
}
