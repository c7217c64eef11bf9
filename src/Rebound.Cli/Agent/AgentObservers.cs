using Rebound.Sense.Stun;

namespace Rebound.Cli.Agent;

/// <summary>What the agent measures that is not an event: detection latency and each probe (for status and metrics).</summary>
internal sealed record AgentObservers(Action<TimeSpan> Detection, Action<StunProbeResult> Probe);
