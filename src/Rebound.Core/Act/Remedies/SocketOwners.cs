using System.Globalization;

namespace Rebound.Act.Remedies;

/// <summary>A process that holds a socket: its pid and its name (/proc/PID/comm).</summary>
public sealed record SocketOwner(int Pid, string Command)
{
    public override string ToString() => $"pid {Pid} ({Command})";
}

/// <summary>
/// Which process holds which socket inode, read from /proc: every <c>/proc/PID/fd/N</c> that links to
/// <c>socket:[INODE]</c>. Processes that end while being read are skipped. <paramref name="procRoot"/> is for tests.
/// </summary>
public sealed class SocketOwners(string procRoot = "/proc")
{
    /// <summary>Inode to owner for the given processes (null: every process). A socket shared by several keeps the first.</summary>
    public IReadOnlyDictionary<uint, SocketOwner> Read(IReadOnlyCollection<int>? pids = null)
    {
        var owners = new Dictionary<uint, SocketOwner>();
        foreach (var pid in pids ?? AllPids())
        {
            var fdDirectory = Path.Combine(procRoot, pid.ToString(CultureInfo.InvariantCulture), "fd");
            string[] fds;
            try
            {
                fds = Directory.GetFiles(fdDirectory);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue; // gone, or not ours to read
            }

            string? command = null;
            foreach (var fd in fds)
            {
                if (ParseSocketLink(LinkTarget(fd)) is not { } inode || owners.ContainsKey(inode))
                    continue;
                command ??= Command(pid);
                owners[inode] = new SocketOwner(pid, command);
            }
        }

        return owners;
    }

    /// <summary>The inode of a <c>socket:[12345]</c> link target, else null.</summary>
    public static uint? ParseSocketLink(string? target) =>
        target is { Length: > 9 } t && t.StartsWith("socket:[", StringComparison.Ordinal) && t.EndsWith(']')
        && uint.TryParse(t.AsSpan(8, t.Length - 9), NumberStyles.None, CultureInfo.InvariantCulture, out var inode)
            ? inode
            : null;

    private IEnumerable<int> AllPids()
    {
        string[] entries;
        try
        {
            entries = Directory.GetDirectories(procRoot);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }

        return entries.Select(e => int.TryParse(Path.GetFileName(e), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0).Where(pid => pid > 0);
    }

    private static string? LinkTarget(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private string Command(int pid)
    {
        try
        {
            return File.ReadAllText(Path.Combine(procRoot, pid.ToString(CultureInfo.InvariantCulture), "comm")).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "?";
        }
    }
}
