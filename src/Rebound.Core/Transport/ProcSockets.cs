using System.Globalization;
using System.Net;

namespace Rebound.Transport;

/// <summary>One socket of this network namespace as <c>/proc/net/{udp,udp6,tcp,tcp6}</c> lists it.</summary>
/// <param name="State">The kernel's TCP state number (1 established, 10 listen); 7 for an unconnected UDP socket.</param>
public sealed record ProcSocket(bool Tcp, IPEndPoint Local, IPEndPoint Remote, int State, long Inode)
{
    public const int TcpEstablished = 1;
    public const int TcpListen = 10;
}

/// <summary>
/// The sockets of the current network namespace and the processes holding them, read from <c>/proc</c> (no netlink
/// needed, no privileges for the tables; the owners need root or the same user). <paramref name="root"/> is a test seam.
/// </summary>
public sealed class ProcSockets(string root = "/proc")
{
    /// <summary>UDP sockets (IPv4 and IPv6) bound to <paramref name="port"/>, or every one when null.</summary>
    public IReadOnlyList<ProcSocket> Udp(int? port = null) => [.. Read("udp", false, port), .. Read("udp6", false, port)];

    /// <summary>TCP sockets (IPv4 and IPv6), every state.</summary>
    public IReadOnlyList<ProcSocket> Tcp() => [.. Read("tcp", true, null), .. Read("tcp6", true, null)];

    /// <summary>The socket inodes process <paramref name="pid"/> holds; empty when it is gone or cannot be read.</summary>
    public HashSet<long> InodesOf(int pid)
    {
        var inodes = new HashSet<long>();
        string[] fds;
        try
        {
            fds = Directory.GetFileSystemEntries(Path.Combine(root, pid.ToString(CultureInfo.InvariantCulture), "fd"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return inodes;
        }

        foreach (var fd in fds)
        {
            string? target;
            try
            {
                target = new FileInfo(fd).LinkTarget;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            // "socket:[12345]"
            if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal) && target.EndsWith(']')
                && long.TryParse(target.AsSpan(8, target.Length - 9), NumberStyles.None, CultureInfo.InvariantCulture, out var inode))
            {
                inodes.Add(inode);
            }
        }

        return inodes;
    }

    /// <summary>The pid of the first process (lowest pid) holding socket <paramref name="inode"/>, or null.</summary>
    public int? OwnerOf(long inode)
    {
        foreach (var pid in Pids())
        {
            if (InodesOf(pid).Contains(inode))
                return pid;
        }

        return null;
    }

    /// <summary>The command name (<c>/proc/PID/comm</c>), or null when gone.</summary>
    public string? CommandOf(int pid)
    {
        try
        {
            return File.ReadAllText(Path.Combine(root, pid.ToString(CultureInfo.InvariantCulture), "comm")).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Parses one table's text; public for tests.</summary>
    public static IEnumerable<ProcSocket> Parse(string text, bool tcp, int? port)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var line in text.Split('\n').Skip(1))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 10 || !TryEndpoint(f[1], out var local) || !TryEndpoint(f[2], out var remote))
                continue;
            if (port is { } p && local.Port != p)
                continue;
            if (!int.TryParse(f[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var state)
                || !long.TryParse(f[9], NumberStyles.None, CultureInfo.InvariantCulture, out var inode))
            {
                continue;
            }

            yield return new ProcSocket(tcp, local, remote, state, inode);
        }
    }

    private IEnumerable<int> Pids()
    {
        string[] entries;
        try
        {
            entries = Directory.GetDirectories(root);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            yield break;
        }

        foreach (var pid in entries.Select(e => int.TryParse(Path.GetFileName(e), NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : 0)
                     .Where(p => p > 0).Order())
        {
            yield return pid;
        }
    }

    private IEnumerable<ProcSocket> Read(string table, bool tcp, int? port)
    {
        string text;
        try
        {
            text = File.ReadAllText(Path.Combine(root, "net", table));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }

        return Parse(text, tcp, port);
    }

    /// <summary>"0100007F:1092" (IPv4, the kernel's byte order per 32-bit word) or the 32-digit IPv6 form.</summary>
    private static bool TryEndpoint(string text, out IPEndPoint endpoint)
    {
        endpoint = new IPEndPoint(IPAddress.Any, 0);
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon is not (8 or 32)
            || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var port))
        {
            return false;
        }

        var bytes = new byte[colon / 2];
        for (var word = 0; word < colon / 8; word++)
        {
            if (!uint.TryParse(text.AsSpan(word * 8, 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var value))
                return false;
            // Each 32-bit word is printed as the host (little-endian) integer.
            BitConverter.TryWriteBytes(bytes.AsSpan(word * 4, 4), value);
        }

        var address = new IPAddress(bytes);
        endpoint = new IPEndPoint(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address, port);
        return true;
    }
}
