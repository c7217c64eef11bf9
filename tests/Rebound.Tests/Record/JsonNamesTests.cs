using System.Reflection;
using Rebound.Act.Heal;
using Rebound.Decide;
using Rebound.Record;

namespace Rebound.Tests.Record;

public sealed class JsonNamesTests
{
    /// <summary>Every enum of the agent that has JSON names at all (found by reflection, so a new one is checked too).</summary>
    public static TheoryData<Type> NamedEnums()
    {
        var data = new TheoryData<Type>();
        foreach (var type in typeof(JsonNames).Assembly.GetTypes().Where(t => t.IsEnum && t.GetFields().Any(f => f.IsDefined(typeof(JsonNameAttribute)))).OrderBy(t => t.Name))
            data.Add(type);
        return data;
    }

    [Fact]
    public void The_enums_of_events_diagnoses_and_families_are_all_named()
    {
        var named = NamedEnums().Select(row => row.Data).ToHashSet();
        Assert.Superset(
            new HashSet<Type> { typeof(HealReason), typeof(HealStepResult), typeof(HealActionKind), typeof(HealCondition), typeof(IpFamily), typeof(EventFamily) },
            named);
    }

    [Theory]
    [MemberData(nameof(NamedEnums))]
    public void Every_value_has_its_own_name_and_the_name_reads_back_as_the_value(Type type)
    {
        var check = typeof(JsonNamesTests).GetMethod(nameof(RoundTrips), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(type);
        var names = (IReadOnlyList<string>)check.Invoke(null, null)!;

        Assert.Equal(Enum.GetValues(type).Length, names.Count);
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
        Assert.All(names, name => Assert.Matches("^[a-z0-9]+(-[a-z0-9]+)*$", name));
    }

    [Fact]
    public void The_spellings_of_the_readme_contract_are_kept()
    {
        Assert.Equal(["healthy", "address-changed", "flow-pinned", "upstream-down", "peer-moved", "unhealthy"], JsonNames.All<HealCondition>());
        Assert.Equal(["done", "failed", "verified", "unverified", "skipped", "interrupted", "not-applicable"], JsonNames.All<HealStepResult>());
        Assert.Equal(["keepalive", "reresolve", "rotate-port", "rebind", "restun", "break-derp-conns", "flush-conntrack", "hop-port", "reset-tcp", "restart"], JsonNames.All<HealActionKind>());
        Assert.Equal(["startup", "public-address-changed", "upstream-restored", "local-network-changed", "uplink-changed", "periodic", "retry"], JsonNames.All<HealReason>());
        Assert.Equal(["ipv4", "ipv6"], JsonNames.All<IpFamily>());
    }

    [Fact]
    public void A_number_that_is_no_value_has_no_name_instead_of_a_made_up_one()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ((HealCondition)42).ToName());
        Assert.False(JsonNames.TryParse<HealCondition>("Flow-Pinned", out _));
        Assert.False(JsonNames.TryParse<HealCondition>("", out _));
    }

    [Fact]
    public void An_enum_with_a_value_left_unnamed_or_a_name_used_twice_fails_on_first_use()
    {
        var unnamed = Assert.Throws<TypeInitializationException>(() => Unnamed.B.ToName());
        Assert.Contains("Unnamed.B has no [JsonName]", unnamed.InnerException!.Message, StringComparison.Ordinal);
        var twice = Assert.Throws<TypeInitializationException>(() => Twice.A.ToName());
        Assert.Contains("used twice", twice.InnerException!.Message, StringComparison.Ordinal);
    }

    private static IReadOnlyList<string> RoundTrips<T>()
        where T : struct, Enum
    {
        foreach (var value in Enum.GetValues<T>())
        {
            Assert.True(JsonNames.TryParse<T>(value.ToName(), out var back));
            Assert.Equal(value, back);
        }

        return JsonNames.All<T>();
    }

    private enum Unnamed
    {
        [JsonName("a")]
        A,
        B,
    }

    private enum Twice
    {
        [JsonName("same")]
        A,
        [JsonName("same")]
        B,
    }
}
