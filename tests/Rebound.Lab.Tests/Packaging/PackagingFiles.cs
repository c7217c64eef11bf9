using Rebound.Lab.Tests.Harness;

namespace Rebound.Lab.Tests.Packaging;

/// <summary>What the packaging tests share: paths under packaging/, a rebound that runs as one executable, the generated docs.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class PackagingFiles
{
    public static string Packaging(string name) => Path.Combine(LabEnvironment.RepoRoot, "packaging", name);

    /// <summary>The AOT binary (REBOUND_BIN) or, without it, a script in <paramref name="dir"/> running the built rebound.dll.</summary>
    public static string Binary(string dir)
    {
        var command = ReboundProcess.CliCommand();
        if (command.Count == 1)
        {
            return command[0];
        }

        var wrapper = Path.Combine(dir, "rebound-wrapper");
        File.WriteAllText(wrapper, $"#!/bin/sh\nexec {string.Join(' ', command.Select(a => $"'{a}'"))} \"$@\"\n");
        File.SetUnixFileMode(wrapper, (UnixFileMode)0b111_101_101);
        return wrapper;
    }

    /// <summary>
    /// Runs packaging/docs/generate.sh into <paramref name="dir"/>/docs: rebound.8, rebound.toml.5 and completions/.
    /// Skips (fails under REBOUND_REQUIRE_LAB=1) without jq.
    /// </summary>
    public static async Task<string> GenerateDocsAsync(string dir, CancellationToken ct)
    {
        if (!File.Exists("/usr/bin/jq"))
        {
            if (LabEnvironment.LabRequired)
            {
                Assert.Fail("REBOUND_REQUIRE_LAB=1 but jq is missing (run scripts/install-deps)");
            }

            Assert.Skip("jq is missing (run scripts/install-deps)");
        }

        var docs = Path.Combine(dir, "docs");
        var r = await ProcessRunner.RunAsync(
            "env", ["SOURCE_DATE_EPOCH=1764633600", "bash", Packaging("docs/generate.sh"), "--binary", Binary(dir), "--out", docs], TimeSpan.FromSeconds(60), ct);
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        return docs;
    }
}
