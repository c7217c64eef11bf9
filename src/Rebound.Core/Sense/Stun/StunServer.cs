using System.Net;

namespace Rebound.Sense.Stun;

/// <summary>A STUN server as the user named it, with the address it resolved to.</summary>
/// <param name="Name">What the user wrote, e.g. <c>stun.example.net:3478</c>; used in output.</param>
/// <param name="EndPoint">The resolved address the probe is sent to and the reply must come from.</param>
public sealed record StunServer(string Name, IPEndPoint EndPoint)
{
    public override string ToString() => Name;
}
