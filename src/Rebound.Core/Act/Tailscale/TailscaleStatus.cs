using System.Text.Json.Serialization;

namespace Rebound.Act.Tailscale;

/// <summary>
/// Absent fields read as null (source-generated init properties). The part of tailscaled's <c>GET /localapi/v0/status</c> answer (Go's <c>ipnstate.Status</c>) the heal
/// target reads. Field names are Go's, unchanged.
/// </summary>
public sealed record TailscaleStatus
{
    /// <summary><c>Running</c>, <c>Starting</c>, <c>NeedsLogin</c>, <c>NeedsMachineAuth</c>, <c>Stopped</c>, <c>NoState</c>.</summary>
    public string? BackendState { get; init; }

    public IReadOnlyList<string>? TailscaleIPs { get; init; }

    public TailscalePeerStatus? Self { get; init; }

    /// <summary>Health warnings, human-readable; empty when healthy.</summary>
    public IReadOnlyList<string>? Health { get; init; }

    /// <summary>Peers keyed by node public key.</summary>
    public IReadOnlyDictionary<string, TailscalePeerStatus>? Peer { get; init; }
}

/// <summary>Go's <c>ipnstate.PeerStatus</c>, the fields used here.</summary>
public sealed record TailscalePeerStatus
{
    public string? HostName { get; init; }

    public IReadOnlyList<string>? TailscaleIPs { get; init; }

    /// <summary>For Self: the endpoints ("ip:port") this node advertises, from STUN and local interfaces.</summary>
    public IReadOnlyList<string>? Addrs { get; init; }

    /// <summary>The direct "ip:port" in use; empty when relayed through DERP.</summary>
    public string? CurAddr { get; init; }

    /// <summary>DERP region code (e.g. "fra"): the home relay for Self, the relay in use for a peer.</summary>
    public string? Relay { get; init; }

    public DateTimeOffset LastHandshake { get; init; }

    /// <summary>For Self: connected to the control server. For peers: control says the peer is connected.</summary>
    public bool Online { get; init; }
}

/// <summary>Go's <c>ipnstate.PingResult</c>, the fields used here.</summary>
public sealed record TailscalePingResult
{
    public string? IP { get; init; }

    public string? NodeName { get; init; }

    /// <summary>Non-empty when the ping failed.</summary>
    public string? Err { get; init; }

    public double LatencySeconds { get; init; }

    /// <summary>"ip:port" for a direct path; empty when the pong came via DERP.</summary>
    public string? Endpoint { get; init; }

    public int DERPRegionID { get; init; }
}

[JsonSerializable(typeof(TailscaleStatus))]
[JsonSerializable(typeof(TailscalePingResult))]
[JsonSerializable(typeof(TailscaleErrorJson))]
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = false, NumberHandling = JsonNumberHandling.AllowReadingFromString)]
internal sealed partial class TailscaleJsonContext : JsonSerializerContext;

/// <summary>The <c>{"error": "..."}</c> body of tailscaled's JSON errors.</summary>
internal sealed record TailscaleErrorJson([property: JsonPropertyName("error")] string? Error);
