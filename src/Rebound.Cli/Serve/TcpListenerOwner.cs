using System.Globalization;
using System.Net;

namespace Rebound.Cli.Serve;

/// <summary>
/// Who owns the socket listening on a loopback TCP port, from /proc/net/tcp{,6}: <c>rebound status</c> believes a
/// TCP answer only from a listener owned by root (the service) or by the user running it, never from a port
/// another local user took first. TCP has no peer credentials; the kernel's socket table is the authority.
/// </summary>
internal static class TcpListenerOwner
{
    private const string Listen = "0A";

    /// <summary>The uid of the listener on <paramref name="port"/>, or null when none is found (or not on Linux).</summary>
    public static int? Uid(int port)
    {
        foreach (var table in (string[])["/proc/net/tcp", "/proc/net/tcp6"])
        {
            string[] lines;
            try
            {
                lines = File.ReadAllLines(table);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid ...
            foreach (var line in lines.Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 8 || fields[3] != Listen)
                    continue;
                var colon = fields[1].LastIndexOf(':');
                if (colon < 0 || !int.TryParse(fields[1].AsSpan(colon + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var p) || p != port)
                    continue;
                if (int.TryParse(fields[7], NumberStyles.None, CultureInfo.InvariantCulture, out var uid))
                    return uid;
            }
        }

        return null;
    }

    /// <summary>Null when the listener on <paramref name="listen"/> may be believed, else why not (one line).</summary>
    public static string? Distrust(IPEndPoint listen)
    {
        if (!OperatingSystem.IsLinux())
            return null;
        var uid = Uid(listen.Port);
        var self = CurrentUid();
        return uid switch
        {
            null => null, // nobody listens: the connection fails and says so
            0 => null,
            _ when uid == self => null,
            _ => $"the listener on {listen} belongs to uid {uid}, not to root: not the agent; not believing its answer",
        };
    }

    private static int CurrentUid()
    {
        // /proc/self/status: "Uid:\treal\teffective\t..."
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("Uid:", StringComparison.Ordinal))
                {
                    var parts = line.Split('\t', StringSplitOptions.RemoveEmptyEntries);
                    return int.Parse(parts[2], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
        }

        return -1;
    }
}
