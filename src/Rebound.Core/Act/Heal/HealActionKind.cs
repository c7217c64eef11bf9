using Rebound.Record;

namespace Rebound.Act.Heal;

/// <summary>Every remedy a target's ladder can hold; the JSON <c>action</c> of <c>heal-step</c> and <c>heal-verified</c>.</summary>
public enum HealActionKind
{
    /// <summary>WireGuard: a keepalive to every peer with an endpoint, enough when our NAT remapped the flow.</summary>
    [JsonName("keepalive")]
    Keepalive,

    /// <summary>WireGuard: the peer's DNS name resolved again and the endpoint set to the new address.</summary>
    [JsonName("reresolve")]
    Reresolve,

    /// <summary>WireGuard: a new listen port, so the router makes a new NAT entry on the live WAN.</summary>
    [JsonName("rotate-port")]
    RotatePort,

    /// <summary>Tailscale: LocalAPI debug action <c>rebind</c>. No longer a rung (it keeps the port); the name stays for old journals.</summary>
    [JsonName("rebind")]
    Rebind,

    /// <summary>Tailscale: LocalAPI debug action <c>restun</c>. Now part of hop-port; the name stays for old journals.</summary>
    [JsonName("restun")]
    Restun,

    /// <summary>Tailscale: LocalAPI debug action <c>break-derp-conns</c>. No longer a rung (reset-tcp replaces it); the name stays for old journals.</summary>
    [JsonName("break-derp-conns")]
    BreakDerpConns,

    /// <summary>Router: delete the conntrack entries still translated to a departed WAN's address.</summary>
    [JsonName("flush-conntrack")]
    FlushConntrack,

    /// <summary>Any UDP daemon: its flows from a fixed local port leave from another source port (Rebound's nftables table plus conntrack deletes), so the router makes a fresh NAT entry on the live WAN.</summary>
    [JsonName("hop-port")]
    HopPort,

    /// <summary>Destroy (SOCK_DESTROY) the TCP connections that cannot have survived the address change, so their owner reconnects at once.</summary>
    [JsonName("reset-tcp")]
    ResetTcp,

    /// <summary>Restart the daemon; counted against the hourly restart budget.</summary>
    [JsonName("restart")]
    Restart,
}

/// <summary>What became of one rung (the JSON <c>result</c> of <c>heal-step</c>).</summary>
public enum HealStepResult
{
    /// <summary>The action ran; its verification follows.</summary>
    [JsonName("done")]
    Done,

    /// <summary>The action could not run; the next rung follows without waiting.</summary>
    [JsonName("failed")]
    Failed,

    /// <summary>The target works again.</summary>
    [JsonName("verified")]
    Verified,

    /// <summary>The verification deadline passed; the ladder escalates.</summary>
    [JsonName("unverified")]
    Unverified,

    /// <summary>Not run: the restart budget is spent.</summary>
    [JsonName("skipped")]
    Skipped,

    /// <summary>The agent stopped during the rung.</summary>
    [JsonName("interrupted")]
    Interrupted,

    /// <summary>Not run: the remedy does not apply here (no NAT upstream, IPv6 without NAT, nftables missing); the detail says why, the next rung follows.</summary>
    [JsonName("not-applicable")]
    NotApplicable,
}
