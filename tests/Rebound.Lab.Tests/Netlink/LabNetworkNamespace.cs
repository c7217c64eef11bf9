using System.Diagnostics;
using System.Security.Cryptography;

namespace Rebound.Lab.Tests.Netlink;

/// <summary>A throwaway, uniquely named network namespace (ip netns), deleted on dispose whatever happened.</summary>
internal sealed class LabNetworkNamespace : IAsyncDisposable
{
    private LabNetworkNamespace(string name) => Name = name;

    public string Name { get; }

    /// <summary>Bind-mounted namespace file that setns accepts.</summary>
    public string Path => $"/var/run/netns/{Name}";

    /// <summary>Skips the test unless we are root; with REBOUND_REQUIRE_LAB=1 a non-root run fails instead.</summary>
    public static void RequireRoot()
    {
        if (IsRoot())
        {
            return;
        }

        if (Environment.GetEnvironmentVariable("REBOUND_REQUIRE_LAB") == "1")
        {
            Assert.Fail("lab tests need root (network namespaces) and REBOUND_REQUIRE_LAB=1 is set");
        }

        Assert.Skip("lab tests need root to create network namespaces");
    }

    public static async Task<LabNetworkNamespace> CreateAsync()
    {
        var name = $"rbnl-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        await RunAsync("ip", "netns", "add", name);
        return new LabNetworkNamespace(name);
    }

    /// <summary>Runs <c>ip -n NAME args…</c> inside the namespace.</summary>
    public Task IpAsync(string arguments) => RunAsync(["ip", "-n", Name, .. arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)]);

    public Task IpBatchAsync(string batchFile) => RunAsync("ip", "-n", Name, "-batch", batchFile);

    public async ValueTask DisposeAsync() => await RunAsync("ip", "netns", "del", Name);

    private static async Task RunAsync(params string[] command)
    {
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"`{string.Join(' ', command)}` exited {process.ExitCode}: {await stderr}{await stdout}");
        }
    }

    private static bool IsRoot()
    {
        // Effective uid is the second number on the "Uid:" line.
        var uidLine = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
        var fields = uidLine?.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return fields is { Length: > 2 } && fields[2] == "0";
    }
}
