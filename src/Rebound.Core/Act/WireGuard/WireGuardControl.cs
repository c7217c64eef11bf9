using Rebound.Act.Commands;

namespace Rebound.Act.WireGuard;

/// <summary>Picks how to reach an interface: its UAPI socket when one exists (userspace WireGuard), else wireguard-tools.</summary>
public static class WireGuardControl
{
    /// <param name="timeProvider">Times the wg tool's runs.</param>
    public static IWireGuardControl For(string interfaceName, TimeProvider? timeProvider = null) =>
        File.Exists(UnixSocketUapiTransport.PathFor(interfaceName))
            ? new UapiWireGuardControl(interfaceName)
            : new WgToolWireGuardControl(interfaceName, new ProcessCommandRunner(timeProvider));
}
