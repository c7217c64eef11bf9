using Rebound.Act.Remedies;

namespace Rebound.Tests.Act.Remedies;

public sealed class HopTableTests
{
    [Fact]
    public void Reads_our_table_as_nft_lists_it()
    {
        var state = HopTable.Parse(RemedyVectors.NftTableJson);

        Assert.NotNull(state);
        Assert.True(state.Present);
        Assert.False(state.Foreign);
        Assert.Equal([4242], state.Active4.Order());
        Assert.Empty(state.Active6);
        Assert.Equal([4242, 5000], state.Hopped.Order());
    }

    [Fact]
    public void A_table_of_our_name_without_our_rules_is_foreign()
    {
        var state = HopTable.Parse(RemedyVectors.NftForeignTableJson);

        Assert.NotNull(state);
        Assert.True(state.Present);
        Assert.True(state.Foreign);
    }

    [Fact]
    public void Output_without_a_table_is_absent_and_garbage_is_null()
    {
        Assert.False(HopTable.Parse("""{"nftables": [{"metainfo": {"version": "1.0.6"}}]}""")!.Present);
        Assert.Null(HopTable.Parse("Error: No such file or directory"));
        Assert.Null(HopTable.Parse("{}"));
    }

    [Fact]
    public void Create_script_replaces_the_table_in_one_transaction_with_keeper_first()
    {
        var script = HopTable.CreateScript("rebound_hop", 40000, 40999, [4242], [], [5000, 4242]);

        var lines = script.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("add table inet rebound_hop", lines[0]);
        Assert.Equal("delete table inet rebound_hop", lines[1]);
        Assert.Contains("set active4 { type inet_service; elements = { 4242 } }", lines);
        Assert.Contains("set active6 { type inet_service; }", lines);
        Assert.Contains("set hopped { type inet_service; elements = { 4242, 5000 } }", lines);
        var keeper = Array.FindIndex(lines, l => l.StartsWith("ct state established udp sport @hopped counter", StringComparison.Ordinal));
        var hop4 = Array.IndexOf(lines, "meta nfproto ipv4 udp sport @active4 masquerade to :40000-40999 random comment \"rebound: hop-port\"");
        Assert.True(keeper > 0 && hop4 > keeper);
    }

    [Fact]
    public void Element_scripts_name_each_port_once_and_nothing_for_none()
    {
        Assert.Equal("add element inet t active4 { 53, 4242 }\n", HopTable.AddElementsScript("t", "active4", [4242, 53, 4242]));
        Assert.Equal("", HopTable.DeleteElementsScript("t", "hopped", []));
        Assert.Equal("delete table inet t\n", HopTable.DeleteTableScript("t"));
    }
}
