using Rebound.Configuration;

namespace Rebound.Act.Heal;

/// <summary>
/// One kind of heal target, everything about it in one place: its table (<c>[[wireguard]]</c>, <c>[tailscale]</c>, …)
/// with its keys, how they are read and checked, its <c>check-config</c> line and how the target is built. Registered
/// in <see cref="HealTargets.All"/>; derive from <see cref="HealTargetDefinition{TSettings}"/>.
/// </summary>
public abstract class HealTargetDefinition : ConfigTable
{
    /// <summary>The settings of one table, or null after reporting every problem (unknown keys are checked for it).</summary>
    /// <param name="earlier">The settings of the entries of this kind read before, for "configured twice".</param>
    internal abstract object? Read(ConfigSection s, IReadOnlyList<object> earlier);

    /// <summary>The <c>check-config</c> line of one entry (after its label); never a secret.</summary>
    internal abstract string Describe(object settings);

    /// <summary>The target, or null when the table is there but turned off.</summary>
    internal abstract IHealTarget? Create(object settings, TimeProvider time);
}

/// <summary>A heal target whose table reads into <typeparamref name="TSettings"/>, usually the target's own options.</summary>
public abstract class HealTargetDefinition<TSettings> : HealTargetDefinition
    where TSettings : class
{
    internal sealed override object? Read(ConfigSection s, IReadOnlyList<object> earlier) => ReadSettings(s, [.. earlier.Cast<TSettings>()]);

    internal sealed override string Describe(object settings) => Describe((TSettings)settings);

    internal sealed override IHealTarget? Create(object settings, TimeProvider time) => Create((TSettings)settings, time);

    internal abstract TSettings? ReadSettings(ConfigSection s, IReadOnlyList<TSettings> earlier);

    internal abstract string Describe(TSettings settings);

    internal abstract IHealTarget? Create(TSettings settings, TimeProvider time);
}
