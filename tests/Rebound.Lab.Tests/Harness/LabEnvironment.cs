namespace Rebound.Lab.Tests.Harness;

/// <summary>Where the repository is, and whether this machine can run the failover lab.</summary>
public static class LabEnvironment
{
    private static readonly Lazy<string> Root = new(FindRepoRoot);

    /// <summary>The folder holding Rebound.slnx, found by walking up from the test binaries.</summary>
    public static string RepoRoot => Root.Value;

    public static string LabScript => Path.Combine(RepoRoot, "lab", "lab.sh");

    /// <summary>CI sets REBOUND_REQUIRE_LAB=1: a missing lab is then a failure, not a skip.</summary>
    public static bool LabRequired => Environment.GetEnvironmentVariable("REBOUND_REQUIRE_LAB") == "1";

    /// <summary>
    /// Skips the calling test when the lab cannot run here (not root, or coturn missing),
    /// unless REBOUND_REQUIRE_LAB=1, in which case it fails loudly.
    /// </summary>
    public static void RequireLab()
    {
        string? missing = null;
        if (!Environment.IsPrivilegedProcess)
        {
            missing = "the failover lab needs root (network namespaces)";
        }
        else if (!File.Exists("/usr/bin/turnserver") || !File.Exists("/usr/bin/turnutils_stunclient"))
        {
            missing = "the failover lab needs coturn (run scripts/install-deps)";
        }
        else if (!File.Exists("/usr/sbin/nft") && !File.Exists("/usr/bin/nft"))
        {
            missing = "the failover lab needs nftables (run scripts/install-deps)";
        }

        if (missing is not null)
        {
            SkipOrFail(missing);
        }
    }

    /// <summary>Skips (or with REBOUND_REQUIRE_LAB=1 fails) the calling test when <paramref name="program"/> is missing.</summary>
    public static void RequireProgram(string program, string package)
    {
        if (!File.Exists(program))
        {
            SkipOrFail($"this lab test needs {program} (Debian package {package}; run scripts/install-deps)");
        }
    }

    private static void SkipOrFail(string missing)
    {
        if (LabRequired)
        {
            Assert.Fail($"REBOUND_REQUIRE_LAB=1 but {missing}");
        }

        Assert.Skip(missing);
    }

    /// <summary>Build configuration of these tests (Debug/Release), used to find the CLI built beside them.</summary>
    public static string Configuration
    {
        get
        {
            // .../tests/Rebound.Lab.Tests/bin/<Configuration>/net10.0/
            var dir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            return dir.Parent?.Name ?? "Debug";
        }
    }

    /// <summary>
    /// A short id, unique enough for concurrent labs (lab ids are 1-8 of [a-z0-9]). It starts with
    /// REBOUND_LAB_PREFIX when set (scripts/test sets one per run, to clean up only its own labs).
    /// </summary>
    public static string NewLabId()
    {
        var prefix = Environment.GetEnvironmentVariable("REBOUND_LAB_PREFIX");
        if (string.IsNullOrEmpty(prefix) || prefix.Length > 4)
        {
            prefix = "t";
        }

        return prefix + Guid.NewGuid().ToString("N")[..(8 - prefix.Length)];
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Rebound.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Rebound.slnx not found above {AppContext.BaseDirectory}");
    }
}
