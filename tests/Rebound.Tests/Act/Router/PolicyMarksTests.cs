using System.Net;
using Rebound.Act.Router;
using Rebound.Sense.Netlink;
using Rebound.Transport.Netlink;
using static Rebound.Sense.Netlink.NetlinkConstants;

namespace Rebound.Tests.Act.Router;

/// <summary>WAN marks from the ip rules (as lab/lab.sh mode mwan3 sets them: fwmark 0x100/0xff00 lookup 1, 0x200/0xff00 lookup 2).</summary>
public sealed class PolicyMarksTests
{
    private static readonly NetlinkHeader Header = new(0, RtmNewRule, 0, 1, 0);

    private static LinkMessage Link(int index, string name) => new(new NetlinkHeader(0, RtmNewLink, 0, 1, 0), 0, 1, index, IffUp, name, null, null);

    private static RouteMessage Default(uint table, int oif, string gateway) =>
        new(new NetlinkHeader(0, RtmNewRoute, 0, 1, 0), AfInet, 0, 0, table, 3, 0, RtnUnicast, null, IPAddress.Parse(gateway), oif, 0, []);

    private static RuleMessage Rule(uint priority, uint table, uint? mark = null, uint? mask = null, bool more = false) =>
        new(Header, AfInet, FrActToTable, table, priority, mark, mask, more);

    private static readonly NetlinkMessage[] Mwan3Lab =
    [
        Link(3, "wan1"), Link(4, "wan2"),
        Default(RtTableMain, 3, "198.51.100.1"), Default(RtTableMain, 4, "192.0.2.1"),
        Default(1, 3, "198.51.100.1"), Default(2, 4, "192.0.2.1"),
        Rule(0, RtTableLocal), Rule(1001, 1, 0x100, 0xff00), Rule(1002, 2, 0x200, 0xff00), Rule(32766, RtTableMain), Rule(32767, RtTableDefault),
    ];

    [Fact]
    public void Mwan3_rules_give_each_wan_its_mark_and_the_kernels_own_rules_are_not_other_rules()
    {
        var marks = PolicyMarks.From(Mwan3Lab);

        Assert.Equal(new WanMark(0x100, 0xff00), marks.Marks["wan1"]);
        Assert.Equal(new WanMark(0x200, 0xff00), marks.Marks["wan2"]);
        Assert.False(marks.OtherRules);
    }

    [Fact]
    public void A_rule_by_source_is_another_rule_and_a_table_without_one_default_gives_no_mark()
    {
        var marks = PolicyMarks.From([.. Mwan3Lab, Rule(900, 3, more: true), Rule(1003, 9, 0x300, 0xff00)]);

        Assert.True(marks.OtherRules);
        Assert.Equal(2, marks.Marks.Count);
    }

    [Fact]
    public void The_lowest_priority_rule_wins_and_no_mask_means_every_bit()
    {
        var marks = PolicyMarks.From([Link(3, "wan1"), Default(7, 3, "198.51.100.1"), Default(8, 3, "198.51.100.1"), Rule(20, 8, 0x8), Rule(10, 7, 0x7)]);

        Assert.Equal(new WanMark(0x7, uint.MaxValue), marks.Marks["wan1"]);
    }

    [Fact]
    public void A_rule_message_decodes_table_priority_mark_and_mask()
    {
        // nlmsghdr, fib_rule_hdr (AF_INET, table 1, action FR_ACT_TO_TBL), FRA_TABLE 1, FRA_PRIORITY 1001, FRA_FWMARK 0x100, FRA_FWMASK 0xff00
        byte[] bytes =
        [
            60, 0, 0, 0, 32, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
            2, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0,
            8, 0, 15, 0, 1, 0, 0, 0,
            8, 0, 6, 0, 0xe9, 3, 0, 0,
            8, 0, 10, 0, 0, 1, 0, 0,
            8, 0, 16, 0, 0, 0xff, 0, 0,
        ];

        var rule = Assert.IsType<RuleMessage>(Assert.Single(NetlinkCodec.Parse(bytes).Messages));
        Assert.Equal((AfInet, FrActToTable, 1u, 1001u, (uint?)0x100, (uint?)0xff00, false), (rule.Family, rule.Action, rule.Table, rule.Priority, rule.Fwmark, rule.Fwmask, rule.SelectsMore));
    }
}
