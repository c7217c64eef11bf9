using Rebound.Act.Ddns;

namespace Rebound.Tests.Act.Ddns.Http;

internal static class DdnsAssert
{
    /// <summary>The secret appears nowhere an admin or a log could see it: message, ToString, or options.</summary>
    public static void NoSecret(string secret, params object[] things)
    {
        foreach (var thing in things)
        {
            var text = thing switch
            {
                DdnsUpdateResult r => r.Message + "\n" + r,
                Exception ex => ex.ToString(),
                _ => thing.ToString() ?? "",
            };
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            Assert.DoesNotContain(Uri.EscapeDataString(secret), text, StringComparison.Ordinal);
        }
    }

    public static void OneLine(DdnsUpdateResult result)
    {
        Assert.False(string.IsNullOrWhiteSpace(result.Message));
        Assert.DoesNotContain('\n', result.Message);
        Assert.DoesNotContain('\r', result.Message);
    }

    public static CancellationToken Ct => TestContext.Current.CancellationToken;
}
