using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Rebound.Act.Commands;

namespace Rebound.Act.Router;

/// <summary>
/// The conntrack table through the <c>conntrack</c> tool (conntrack-tools), for when ctnetlink cannot be used
/// from this process. <c>conntrack -D --reply-dst ADDR</c> exits 1 with "0 flow entries have been deleted" when
/// nothing matched; that is a success with zero deletions, not a failure.
/// </summary>
/// <param name="command">The program and leading arguments, e.g. <c>["conntrack"]</c> or <c>["ip","netns","exec","NS","conntrack"]</c>.</param>
public sealed partial class ConntrackToolTable(IReadOnlyList<string>? command = null, TimeProvider? timeProvider = null) : IConntrackTable
{
    public static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(10);

    private readonly IReadOnlyList<string> _command = command is { Count: > 0 } ? command : ["conntrack"];
    private readonly ProcessCommandRunner _runner = new(timeProvider);

    public string Via => "conntrack tool";

    public async ValueTask<int> CountTranslatedToAsync(IPAddress address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        var (exit, stderr) = await RunAsync(["-L", .. Filter(address)], cancellationToken);
        return exit == 0 && ParseCount(stderr, "shown") is { } shown
            ? shown
            : throw new ConntrackException($"conntrack -L failed (exit {exit}): {OneLine(stderr)}");
    }

    /// <summary>One <c>conntrack -L</c> per address: the tool filters in the kernel, and this is only the fallback.</summary>
    public async ValueTask<IReadOnlyDictionary<IPAddress, int>> CountTranslatedToAsync(IReadOnlyCollection<IPAddress> addresses, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        var counts = new Dictionary<IPAddress, int>();
        foreach (var address in addresses.Distinct())
        {
            counts[address] = await CountTranslatedToAsync(address, cancellationToken);
        }

        return counts;
    }

    public async ValueTask<ConntrackFlushResult> DeleteTranslatedToAsync(IPAddress address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        var (exit, stderr) = await RunAsync(["-D", .. Filter(address)], cancellationToken);
        return ParseCount(stderr, "deleted") is { } deleted && (exit == 0 || (exit == 1 && deleted == 0))
            ? new ConntrackFlushResult(deleted, Via)
            : throw new ConntrackException($"conntrack -D failed (exit {exit}): {OneLine(stderr)}");
    }

    /// <summary>The tool's listing is not read flow by flow: router mode falls back to matching by address.</summary>
    public ValueTask<IReadOnlyList<ConntrackEntry>?> TryListAsync(CancellationToken cancellationToken) => ValueTask.FromResult<IReadOnlyList<ConntrackEntry>?>(null);

    public ValueTask<int> DeleteEntriesAsync(IReadOnlyCollection<ConntrackEntry> entries, CancellationToken cancellationToken) =>
        throw new ConntrackException("the conntrack tool deletes by address only");

    /// <summary>"conntrack v1.4.7 (conntrack-tools): 3 flow entries have been deleted." → 3.</summary>
    public static int? ParseCount(string stderr, string verb)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        foreach (Match m in CountLine().Matches(stderr))
        {
            if (m.Groups[2].Value == verb && int.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                return n;
            }
        }

        return null;
    }

    private static string[] Filter(IPAddress address) =>
        ["-f", address.AddressFamily == AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4", "--reply-dst", address.ToString()];

    private static string OneLine(string text)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length == 0 ? "no message" : line.Length > 200 ? line[..200] : line;
    }

    private async Task<(int Exit, string Stderr)> RunAsync(string[] arguments, CancellationToken cancellationToken)
    {
        // The listing on stdout is not needed (the count is on stderr): keep little of it.
        var request = new CommandRequest([.. _command, .. arguments], ToolTimeout) { OutputLimitBytes = 64 * 1024 };
        try
        {
            var result = await _runner.RunAsync(request, cancellationToken);
            return (result.ExitCode, result.Error);
        }
        catch (CommandTimeoutException ex)
        {
            throw new ConntrackException($"{_command[0]} did not finish within {ToolTimeout.TotalSeconds:0}s", ex);
        }
        catch (CommandStartException ex)
        {
            throw new ConntrackException(ex.Message, ex);
        }
    }

    [GeneratedRegex(@"(\d+) flow entries have been (\w+)")]
    private static partial Regex CountLine();
}
