using System.Net;

namespace Rebound.Decide;

/// <summary>What one server said in one probe round: the public address it saw, or why it said nothing.</summary>
public sealed record ProbeObservation(string Server, IpFamily Family, IPAddress? Address, TimeSpan Rtt, string? Error)
{
    public override string ToString() =>
        Address is null ? $"{Server}: {Error}" : $"{Server} saw {Address} in {Rtt.TotalMilliseconds:0.0} ms";
}

/// <summary>Why a state change was believed: what set it off, over how many rounds, and the last round's answers.</summary>
public sealed record WanEvidence(string Trigger, int Rounds, IReadOnlyList<ProbeObservation> Observations);
