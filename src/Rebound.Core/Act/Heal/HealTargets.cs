using Rebound.Act.Flow;
using Rebound.Act.Nebula;
using Rebound.Act.Router;
using Rebound.Act.Tailscale;
using Rebound.Act.WireGuard;
using Rebound.Configuration;

namespace Rebound.Act.Heal;

/// <summary>Every kind of heal target, and the targets a configuration asks for.</summary>
public static class HealTargets
{
    /// <summary>
    /// Every kind, in the order the sample configuration shows them and targets are built. A new kind is a folder
    /// with its target and its definition, and one line here.
    /// </summary>
    public static IReadOnlyList<HealTargetDefinition> All { get; } =
    [
        new WireGuardDefinition(),
        new NebulaDefinition(),
        new TailscaleDefinition(),
        new RouterDefinition(),
        new FlowDefinition(),
    ];

    /// <summary>
    /// The configured targets, in the order of <see cref="All"/>, then of the file. Targets that hold resources
    /// implement <see cref="IAsyncDisposable"/>; the caller disposes them.
    /// </summary>
    public static IReadOnlyList<IHealTarget> Create(ReboundConfig config, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(timeProvider);
        return [.. config.HealTargets.Select(t => t.Create(timeProvider)).OfType<IHealTarget>()];
    }
}
