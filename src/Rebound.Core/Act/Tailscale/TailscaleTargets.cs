using Rebound.Act.Systemd;
using Rebound.Configuration;

namespace Rebound.Act.Tailscale;

/// <summary>Builds the tailscale heal target from its <c>[tailscale]</c> table.</summary>
public static class TailscaleTargets
{
    public static TailscaleTarget Create(TailscaleConfig config, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var client = new TailscaleLocalClient(new TailscaleLocalClientOptions { SocketPath = config.Socket, TimeProvider = timeProvider });
        IUnitRestarter restarter = config.RestartCommand is { Count: > 0 } command
            ? new CommandUnitRestarter(command, SystemdUnitRestarterOptions.DefaultTimeout, timeProvider)
            : new SystemdUnitRestarter(new SystemdUnitRestarterOptions { TimeProvider = timeProvider });
        return new TailscaleTarget(client, restarter, new TailscaleTargetOptions
        {
            Unit = config.Unit,
            PingPeers = config.PingPeers,
            VerifyDeadline = config.VerifyDeadline,
        });
    }
}
