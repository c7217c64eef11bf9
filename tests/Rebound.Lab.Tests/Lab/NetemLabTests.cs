using System.Globalization;
using System.Text.RegularExpressions;
using Rebound.Lab.Tests.Harness;

namespace Rebound.Lab.Tests.Lab;

/// <summary>lab.sh netem: a delay on WAN2 only (NFQUEUE delay line), added to the round-trip time, and removable.</summary>
public sealed partial class NetemLabTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Delay_applies_to_wan2_only_and_goes_away()
    {
        await using var lab = await FailoverLab.StartAsync(LabMode.Masquerade, Ct);
        await lab.DelayWan2Async(TimeSpan.FromMilliseconds(300), Ct);
        Assert.InRange(await MinRoundTripAsync(lab), 0, 50); // WAN1

        await lab.FailoverAsync(Ct);
        Assert.InRange(await MinRoundTripAsync(lab), 299, 400);
        Assert.Equal(FailoverLab.Wan2Address, await lab.StunAsync("203.0.113.10", Ct));

        await lab.DelayWan2Async(null, Ct);
        Assert.InRange(await MinRoundTripAsync(lab), 0, 50);
    }

    /// <summary>The smallest of three ping round-trip times (ms) from the LAN host to the lab internet.</summary>
    private static async Task<double> MinRoundTripAsync(FailoverLab lab)
    {
        var r = (await lab.ExecAsync("lan", ["ping", "-c3", "-i0.2", "-q", "203.0.113.10"], Ct)).EnsureSuccess();
        var m = Rtt().Match(r.Stdout);
        Assert.True(m.Success, r.Stdout);
        return double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"rtt min/avg/max/mdev = ([0-9.]+)/")]
    private static partial Regex Rtt();
}
