namespace Rebound.Act.Remedies;

/// <summary>How <see cref="PortHopper"/> works on the host; every default is written here.</summary>
public sealed record HopPortOptions
{
    /// <summary>Rebound's own nftables table (family inet); nothing else on the host is touched.</summary>
    public string TableName { get; init; } = "rebound_hop";

    /// <summary>Where hopped flows get their new source port. Above the ephemeral range's usual start is not needed: conntrack picks a free one.</summary>
    public int PortRangeStart { get; init; } = 40000;

    public int PortRangeEnd { get; init; } = 40999;

    /// <summary>The nft program and leading arguments, e.g. <c>["ip","netns","exec","NS","nft"]</c> in the lab.</summary>
    public IReadOnlyList<string> NftCommand { get; init; } = ["nft"];

    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>After the rule is in and the old entries are deleted, conntrack is looked at again this often for untranslated (leaking) ones.</summary>
    public TimeSpan LeakCheckInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Passes of delete-then-look before giving up on a leak.</summary>
    public int MaxSweeps { get; init; } = 5;
}
