using Rebound.Configuration;

namespace Rebound.Act.Heal;

/// <summary>Builds the heal targets a configuration asks for; one line per kind of target.</summary>
public static class HealTargets
{
    /// <summary>
    /// The configured targets, in file order per kind. Targets that hold resources implement
    /// <see cref="IAsyncDisposable"/>; the caller disposes them.
    /// </summary>
    public static IReadOnlyList<IHealTarget> Create(ReboundConfig config, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var targets = new List<IHealTarget>();
        if (config.Tailscale is { Enabled: true } tailscale) targets.Add(Tailscale.TailscaleTargets.Create(tailscale, timeProvider));
        if (config.Router is { FlushConntrack: true } router) targets.Add(router.CreateTarget(timeProvider));
        targets.AddRange(config.WireGuard.Select(w => WireGuard.WireGuardTarget.Create(w, timeProvider)));
        return targets;
    }
}
