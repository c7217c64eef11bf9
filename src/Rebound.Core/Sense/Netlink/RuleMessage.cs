using Rebound.Transport.Netlink;

namespace Rebound.Sense.Netlink;

/// <summary>
/// RTM_NEWRULE / RTM_DELRULE (a policy routing rule, <c>ip rule</c>): struct fib_rule_hdr plus FRA_TABLE,
/// FRA_PRIORITY, FRA_FWMARK and FRA_FWMASK. <paramref name="SelectsMore"/>: the rule also matches on source,
/// destination, TOS or an interface, so it does not apply to every packet with its mark.
/// </summary>
public sealed record RuleMessage(
    NetlinkHeader Header,
    byte Family,
    byte Action,
    uint Table,
    uint Priority,
    uint? Fwmark,
    uint? Fwmask,
    bool SelectsMore) : NetlinkMessage(Header);
