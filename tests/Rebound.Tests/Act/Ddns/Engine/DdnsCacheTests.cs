using Rebound.Act.Ddns.Engine;
using Rebound.Decide;
using static Rebound.Tests.Act.Ddns.Engine.EngineHarness;

namespace Rebound.Tests.Act.Ddns.Engine;

public sealed class DdnsCacheTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rebound-ddns-").FullName;

    private string CachePath => Path.Combine(_directory, "ddns-cache.json");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task The_cache_survives_a_restart_so_nothing_is_resent()
    {
        var options = new DdnsEngineOptions { CachePath = CachePath };
        var first = new FakeUpdater();
        await using (var h = new EngineHarness([Target(first)], options))
        {
            h.Address(A);
            await h.IdleAsync();
        }

        Assert.Single(first.Calls);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(CachePath));
        Assert.Equal([CachePath], Directory.GetFiles(_directory)); // no temp file left behind

        var second = new FakeUpdater();
        await using (var h = new EngineHarness([Target(second)], options))
        {
            h.Address(A);
            await h.IdleAsync();
            Assert.Empty(second.Calls);
            Assert.Empty(h.Events<DdnsWarning>());

            h.Address(B);
            await h.IdleAsync();
            Assert.Equal(B, Assert.Single(Assert.Single(second.Calls)).Address);
        }
    }

    [Fact]
    public async Task The_cache_is_keyed_by_target_name_and_family()
    {
        var options = new DdnsEngineOptions { CachePath = CachePath };
        await using (var h = new EngineHarness([Target(new FakeUpdater())], options))
        {
            h.Address(A);
            await h.IdleAsync();
        }

        var otherTarget = new FakeUpdater();
        var otherName = new FakeUpdater();
        await using (var h = new EngineHarness([Target(otherTarget, "t2"), Target(otherName, "t1", "home.example.com", "www.example.com")], options))
        {
            h.Address(A);
            h.Address(V6);
            await h.IdleAsync();
        }

        Assert.Contains(otherTarget.Calls, c => c.Any(u => u.Address.Equals(A)));
        var sentForT1 = otherName.Calls.SelectMany(c => c).Select(u => (u.Hostname, u.Family)).ToList();
        Assert.DoesNotContain(("home.example.com", IpFamily.Ipv4), sentForT1);
        Assert.Contains(("www.example.com", IpFamily.Ipv4), sentForT1);
        Assert.Contains(("home.example.com", IpFamily.Ipv6), sentForT1);
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("")]
    [InlineData("[1,2,3]")]
    [InlineData("{\"version\":1,\"records\":[{\"target\":\"t1\",\"name\":\"home.example.com\",\"family\":\"ipv4\",\"address\":\"nonsense\",\"sentAt\":\"x\"}]}")]
    public async Task A_corrupt_cache_file_is_an_empty_cache_and_a_warning(string content)
    {
        await File.WriteAllTextAsync(CachePath, content, TestContext.Current.CancellationToken);
        var updater = new FakeUpdater();
        await using var h = new EngineHarness([Target(updater)], new DdnsEngineOptions { CachePath = CachePath });
        h.Address(A);
        await h.IdleAsync();

        Assert.Single(updater.Calls);
        Assert.NotEmpty(h.Events<DdnsWarning>());
        // and the rewritten file is good again
        var again = new FakeUpdater();
        await using var h2 = new EngineHarness([Target(again)], new DdnsEngineOptions { CachePath = CachePath });
        h2.Address(A);
        await h2.IdleAsync();
        Assert.Empty(again.Calls);
    }

    [Fact]
    public async Task A_missing_cache_file_is_an_empty_cache_without_a_warning()
    {
        var updater = new FakeUpdater();
        await using var h = new EngineHarness([Target(updater)], new DdnsEngineOptions { CachePath = CachePath });
        h.Address(A);
        await h.IdleAsync();
        Assert.Single(updater.Calls);
        Assert.Empty(h.Events<DdnsWarning>());
    }

    [Fact]
    public async Task A_cache_that_cannot_be_written_is_a_warning_not_a_crash()
    {
        string blocked = Path.Combine(_directory, "file-not-dir");
        await File.WriteAllTextAsync(blocked, "", TestContext.Current.CancellationToken);
        var updater = new FakeUpdater();
        await using var h = new EngineHarness([Target(updater)], new DdnsEngineOptions { CachePath = Path.Combine(blocked, "cache.json") });
        h.Address(A);
        await h.IdleAsync();
        Assert.Single(updater.Calls);
        Assert.Single(h.Events<DdnsUpdated>());
        Assert.Single(h.Events<DdnsWarning>());
        h.Address(A);
        await h.IdleAsync();
        Assert.Single(updater.Calls); // still remembered in memory
    }

    [Fact]
    public async Task Records_under_a_former_target_id_are_migrated_and_not_sent_again()
    {
        var options = new DdnsEngineOptions { CachePath = CachePath };
        await using (var h = new EngineHarness([Target(new FakeUpdater(), "old-id")], options))
        {
            h.Address(A);
            await h.IdleAsync();
        }

        var migrated = new FakeUpdater();
        await using (var h = new EngineHarness([Target(migrated, "new-id") with { FormerIds = ["old-id"] }], options))
        {
            h.Address(A);
            await h.IdleAsync();
            Assert.Empty(migrated.Calls);

            h.Address(B); // the next save writes the new id only
            await h.IdleAsync();
            Assert.Single(migrated.Calls);
        }

        var text = await File.ReadAllTextAsync(CachePath, TestContext.Current.CancellationToken);
        Assert.Contains("\"new-id\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("old-id", text, StringComparison.Ordinal);

        // Without the mapping, the former id is a stranger: the record is sent.
        await File.WriteAllTextAsync(CachePath, text.Replace("new-id", "old-id", StringComparison.Ordinal), TestContext.Current.CancellationToken);
        var unmapped = new FakeUpdater();
        await using (var h = new EngineHarness([Target(unmapped, "new-id")], options))
        {
            h.Address(B);
            await h.IdleAsync();
            Assert.Single(unmapped.Calls);
        }
    }

    [Fact]
    public async Task A_record_under_the_current_id_wins_over_one_under_a_former_id()
    {
        await File.WriteAllTextAsync(CachePath, $$"""
            {"version": 1, "records": [
              {"target": "new-id", "name": "home.example.com", "family": "ipv4", "address": "{{B}}", "sentAt": "2026-11-26T05:00:00Z"},
              {"target": "old-id", "name": "home.example.com", "family": "ipv4", "address": "{{A}}", "sentAt": "2026-11-25T05:00:00Z"}
            ]}
            """, TestContext.Current.CancellationToken);
        var updater = new FakeUpdater();
        await using var h = new EngineHarness([Target(updater, "new-id") with { FormerIds = ["old-id"] }], new DdnsEngineOptions { CachePath = CachePath });
        h.Address(B);
        await h.IdleAsync();
        Assert.Empty(updater.Calls);
        h.Address(A);
        await h.IdleAsync();
        Assert.Single(updater.Calls);
    }
}
