using Rebound.Act.Heal;

namespace Rebound.Configuration;

/// <summary>One heal target table of the file: its kind, where it is, and what its definition read from it.</summary>
/// <param name="Index">The entry's position among those of its kind (0 for a single table).</param>
public sealed record HealTargetConfig(HealTargetDefinition Kind, int Index, int Line, object Settings)
{
    /// <summary>"wireguard[0]" or "tailscale", as keys in messages are named.</summary>
    public string Label => Kind.Many ? $"{Kind.Name}[{Index}]" : Kind.Name;

    /// <summary>The <c>check-config</c> line: "wireguard[0] line 12: …" or "tailscale: …".</summary>
    public string Describe() => Kind.Many ? $"{Label} line {Line}: {Kind.Describe(Settings)}" : $"{Label}: {Kind.Describe(Settings)}";

    /// <summary>The target, or null when the table turns it off.</summary>
    public IHealTarget? Create(TimeProvider time) => Kind.Create(Settings, time);
}
