namespace Rebound.Act.WireGuard;

/// <summary>Picks how to reach an interface: its UAPI socket when one exists (userspace WireGuard), else wireguard-tools.</summary>
public static class WireGuardControl
{
    public static IWireGuardControl For(string interfaceName) =>
        File.Exists(UnixSocketUapiTransport.PathFor(interfaceName))
            ? new UapiWireGuardControl(interfaceName)
            : new WgToolWireGuardControl(interfaceName);
}
