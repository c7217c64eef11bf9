using Microsoft.Extensions.Time.Testing;
using Rebound.Record.Journal;
using Rebound.Record.Journal.Sqlite;
using static Rebound.Tests.Record.Journal.JournalTestEvents;

namespace Rebound.Tests.Record.Journal;

public sealed class EventJournalTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("rebound-journal-");
    private readonly FakeTimeProvider _time = new(Start);
    private readonly List<string> _warnings = [];

    public void Dispose() => _dir.Delete(recursive: true);

    private string DbPath => Path.Combine(_dir.FullName, EventJournal.FileName);

    private EventJournal Open(int maxEvents = 100_000, TimeSpan? retention = null) =>
        EventJournal.Start(
            new EventJournalOptions { Path = DbPath, MaxEvents = maxEvents, Retention = retention ?? TimeSpan.FromDays(30) },
            _time,
            w => { lock (_warnings) _warnings.Add(w); });

    [Fact]
    public async Task A_recorded_event_is_stored_as_each_of_its_copies_with_kind_target_and_the_printed_json()
    {
        var e = new Rebound.Act.Ddns.Engine.DdnsUpdated(Start, "ddns[0]", "rfc2136", ["a.home.test", "b.home.test"], System.Net.IPAddress.Parse("192.0.2.2"), 40, Verified: true);
        var copies = Rebound.Record.EventCatalogue.Record(e);
        await using (var journal = Open())
        {
            foreach (var copy in copies)
                journal.OnEvent(copy);
            await journal.FlushAsync(TestContext.Current.CancellationToken);

            var all = journal.Query();
            Assert.Equal(["ddns-updated", "ddns-updated"], all.Select(s => s.Kind));
            Assert.Equal(["a.home.test", "b.home.test"], all.Select(s => s.Target));
            Assert.Equal(copies.Select(c => c.Json), all.Select(s => s.Json));
            Assert.All(all, s => Assert.Equal(Start, s.Time));
        }

        Assert.Empty(_warnings);
    }

    [Fact]
    public async Task Events_are_stored_with_their_fields_and_read_back_oldest_first()
    {
        await using (var journal = Open())
        {
            journal.Append(Event(Start, "public-address-changed", null, 1));
            journal.Append(Event(Start.AddSeconds(1), "ddns-updated", "ddns[0]", 2));
            journal.Append(Event(Start.AddSeconds(2), "heal-verified", "wg0", 3));
            await journal.FlushAsync(TestContext.Current.CancellationToken);

            var all = journal.Query();
            Assert.Equal(["public-address-changed", "ddns-updated", "heal-verified"], all.Select(e => e.Kind));
            Assert.Equal([null, "ddns[0]", "wg0"], all.Select(e => e.Target));
            Assert.Equal(Start.AddSeconds(1), all[1].Time);
            Assert.Equal(Event(Start.AddSeconds(1), "ddns-updated", "ddns[0]", 2).Json, all[1].Json);
            Assert.True(all[0].Id < all[1].Id && all[1].Id < all[2].Id);
        }

        Assert.Empty(_warnings);
    }

    [Fact]
    public async Task The_file_is_WAL_with_the_documented_schema_and_version()
    {
        await using (var journal = Open())
        {
            await journal.FlushAsync(TestContext.Current.CancellationToken);
        }

        using var db = SqliteDatabase.Open(DbPath, readOnly: true, TimeSpan.FromSeconds(1));
        Assert.Equal("wal", db.QueryText("PRAGMA journal_mode"));
        Assert.Equal(JournalStore.SchemaVersion, db.QueryInt64("PRAGMA user_version"));
        Assert.Equal("id,time_ms,kind,target,json", string.Join(",", Names(db, "SELECT name FROM pragma_table_info('events') ORDER BY cid")));
        Assert.Equal(["events_kind", "events_time"], Names(db, "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' ORDER BY name"));
    }

    private static List<string> Names(SqliteDatabase db, string sql)
    {
        using var statement = db.Prepare(sql);
        var names = new List<string>();
        while (statement.Step())
            names.Add(statement.Text(0)!);
        return names;
    }

    [Fact]
    public async Task Query_filters_by_time_and_kind_and_keeps_the_newest_up_to_the_limit()
    {
        await using var journal = Open();
        for (int i = 0; i < 10; i++)
            journal.Append(Event(Start.AddMinutes(i), i % 2 == 0 ? "even" : "odd", $"t{i % 3}", i));
        await journal.FlushAsync(TestContext.Current.CancellationToken);

        Assert.Equal(Enumerable.Range(5, 5), journal.Query(since: Start.AddMinutes(5)).Select(e => (int)e.Time.Subtract(Start).TotalMinutes));
        Assert.Equal(["odd"], journal.Query(kinds: ["odd"]).Select(e => e.Kind).Distinct());
        Assert.Equal(10, journal.Query(kinds: ["odd", "even"]).Count);
        Assert.Equal([Start.AddMinutes(7), Start.AddMinutes(8), Start.AddMinutes(9)], journal.Query(limit: 3).Select(e => e.Time));
        Assert.Equal([Start.AddMinutes(7), Start.AddMinutes(9)], journal.Query(since: Start.AddMinutes(6), kinds: ["odd"], limit: 5).Select(e => e.Time));
        Assert.Empty(journal.Query(kinds: ["none"]));
    }

    [Fact]
    public async Task Latest_finds_the_newest_event_of_a_kind_overall_and_per_target()
    {
        await using var journal = Open();
        journal.Append(Event(Start, "heal-verified", "wg0", 1));
        journal.Append(Event(Start.AddSeconds(1), "heal-verified", "tailscale", 2));
        journal.Append(Event(Start.AddSeconds(2), "heal-verified", "wg0", 3));
        journal.Append(Event(Start.AddSeconds(3), "public-address-changed", null, 4));
        await journal.FlushAsync(TestContext.Current.CancellationToken);

        Assert.Equal(Start.AddSeconds(3), journal.Latest("public-address-changed")!.Time);
        Assert.Equal(Start.AddSeconds(2), journal.Latest("heal-verified")!.Time);
        Assert.Equal(Start.AddSeconds(1), journal.Latest("heal-verified", "tailscale")!.Time);
        Assert.Null(journal.Latest("heal-failed"));
        var perTarget = journal.LatestPerTarget("heal-verified");
        Assert.Equal([("tailscale", Start.AddSeconds(1)), ("wg0", Start.AddSeconds(2))], perTarget.Select(e => (e.Target!, e.Time)));
    }

    [Fact]
    public async Task Retention_runs_periodically_by_age_and_by_count()
    {
        await using var journal = Open(maxEvents: 100, retention: TimeSpan.FromDays(30));
        await journal.FlushAsync(TestContext.Current.CancellationToken); // the prune at start has run
        for (int i = 0; i < 20; i++)
            journal.Append(Event(Start - TimeSpan.FromDays(40), "old", null, i));
        for (int i = 0; i < 150; i++)
            journal.Append(Event(Start.AddSeconds(i), "new", null, i));
        await journal.FlushAsync(TestContext.Current.CancellationToken);
        Assert.Equal(170, journal.Query(limit: 1000).Count);

        _time.Advance(TimeSpan.FromHours(1));
        await journal.FlushAsync(TestContext.Current.CancellationToken);

        var kept = journal.Query(limit: 1000);
        Assert.Equal(100, kept.Count);
        Assert.All(kept, e => Assert.Equal("new", e.Kind));
        Assert.Equal(Start.AddSeconds(50), kept[0].Time); // the newest 100 of 150
    }

    [Fact]
    public async Task Retention_runs_at_start()
    {
        await using (var journal = Open(retention: TimeSpan.FromDays(3650)))
        {
            journal.Append(Event(Start - TimeSpan.FromDays(31), "old", null, 1));
            journal.Append(Event(Start - TimeSpan.FromDays(29), "recent", null, 2));
        }

        await using (var journal = Open(retention: TimeSpan.FromDays(30)))
        {
            await journal.FlushAsync(TestContext.Current.CancellationToken);
            Assert.Equal(["recent"], journal.Query().Select(e => e.Kind));
        }
    }

    [Fact]
    public async Task Dispose_writes_what_is_still_queued()
    {
        await using (var journal = Open())
        {
            for (int i = 0; i < 500; i++)
                journal.Append(Event(Start.AddMilliseconds(i), "burst", null, i));
        }

        using var reader = JournalReader.Open(DbPath);
        Assert.Equal(500, reader.Count());
    }

    [Fact]
    public async Task A_reader_sees_committed_events_while_the_writer_keeps_writing()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var journal = Open();
        await journal.FlushAsync(ct);
        using var done = new CancellationTokenSource();
        var reads = 0;
        var reader = Task.Run(() =>
        {
            long last = 0;
            while (!done.IsCancellationRequested)
            {
                using var r = JournalReader.Open(DbPath);
                var count = r.Count();
                Assert.True(count >= last, $"count went back from {last} to {count}");
                var tail = r.Query(limit: 5);
                Assert.True(tail.Count == Math.Min(5, count) || r.Count() > count);
                last = count;
                reads++;
            }

            return last;
        }, ct);

        for (int batch = 0; batch < 40; batch++)
        {
            for (int i = 0; i < 50; i++)
                journal.Append(Event(Start.AddSeconds(batch), "load", $"t{i}", batch * 50 + i));
            await journal.FlushAsync(ct);
        }

        await done.CancelAsync();
        await reader;
        Assert.True(reads > 1, "the reader ran during the writes");
        Assert.Equal(2000, journal.Query(limit: 5000).Count);
        Assert.Empty(_warnings);
    }

    [Fact]
    public async Task A_file_that_is_not_a_database_is_moved_aside_with_one_warning_and_a_new_journal_starts()
    {
        var garbage = new byte[8192];
        new Random(7).NextBytes(garbage);
        await File.WriteAllBytesAsync(DbPath, garbage, TestContext.Current.CancellationToken);

        await using (var journal = Open())
        {
            Assert.True(journal.IsEnabled);
            journal.Append(Event(Start, "after", null, 1));
            await journal.FlushAsync(TestContext.Current.CancellationToken);
            Assert.Equal(["after"], journal.Query().Select(e => e.Kind));
        }

        var warning = Assert.Single(_warnings);
        Assert.Contains("damaged", warning, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', warning);
        var aside = Path.Combine(_dir.FullName, "journal.db.corrupt-20261126T060000Z");
        Assert.Contains(aside, warning, StringComparison.Ordinal);
        Assert.Equal(garbage, await File.ReadAllBytesAsync(aside, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_database_with_damaged_pages_is_moved_aside()
    {
        await using (var journal = Open())
        {
            for (int i = 0; i < 2000; i++)
                journal.Append(Event(Start, "filler", $"target-{i}", i));
        }

        // Checkpointed into the main file by the clean close; now scribble over a b-tree page.
        using (var file = File.OpenWrite(DbPath))
        {
            file.Position = 4096 * 3;
            file.Write(Enumerable.Repeat((byte)0x5A, 4096).ToArray());
        }

        await using (var journal = Open())
        {
            Assert.True(journal.IsEnabled);
            await journal.FlushAsync(TestContext.Current.CancellationToken);
            Assert.Empty(journal.Query());
        }

        Assert.Contains("damaged", Assert.Single(_warnings), StringComparison.Ordinal);
        Assert.Single(_dir.GetFiles("journal.db.corrupt-*"));
    }

    [Fact]
    public async Task An_unusable_location_leaves_the_agent_running_without_a_journal_and_one_warning()
    {
        var blocker = Path.Combine(_dir.FullName, "not-a-directory");
        await File.WriteAllTextAsync(blocker, "x", TestContext.Current.CancellationToken);
        var journal = EventJournal.Start(new EventJournalOptions { Path = Path.Combine(blocker, EventJournal.FileName) }, _time, _warnings.Add);
        await using (journal)
        {
            Assert.False(journal.IsEnabled);
            journal.Append(Event(Start, "lost", null, 1));
            await journal.FlushAsync(TestContext.Current.CancellationToken);
        }

        var warning = Assert.Single(_warnings);
        Assert.Contains("running without a journal", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_journal_from_a_newer_schema_is_left_alone()
    {
        using (var db = SqliteDatabase.Open(DbPath, readOnly: false, TimeSpan.FromSeconds(1)))
            db.Execute("PRAGMA user_version = 99");
        var before = await File.ReadAllBytesAsync(DbPath, TestContext.Current.CancellationToken);

        await using (var journal = Open())
            Assert.False(journal.IsEnabled);

        Assert.Contains("newer rebound", Assert.Single(_warnings), StringComparison.Ordinal);
        Assert.Empty(_dir.GetFiles("journal.db.corrupt-*"));
        Assert.Equal(before, await File.ReadAllBytesAsync(DbPath, TestContext.Current.CancellationToken));
        var error = Assert.Throws<JournalException>(() => JournalReader.Open(DbPath));
        Assert.Contains("newer rebound", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reading_a_missing_journal_says_so()
    {
        var error = Assert.Throws<JournalException>(() => JournalReader.Open(DbPath));
        Assert.True(error.IsMissing);
        Assert.False(File.Exists(DbPath), "reading must not create the file");
    }

    [Fact]
    public async Task Text_with_quotes_newlines_and_non_ascii_round_trips()
    {
        await using var journal = Open();
        const string Json = "{\"time\":\"x\",\"event\":\"odd\",\"message\":\"line1\\nline2 \\\"q\\\" é ✓\"}";
        journal.Append(new JournalLine(Start, "odd", "wg0 ✓", Json));
        journal.Append(new JournalLine(Start, "empty", "", "{}"));
        await journal.FlushAsync(TestContext.Current.CancellationToken);
        var entries = journal.Query();
        Assert.Equal(Json, entries[0].Json);
        Assert.Equal("wg0 ✓", entries[0].Target);
        Assert.Equal("", entries[1].Target);
    }
}
