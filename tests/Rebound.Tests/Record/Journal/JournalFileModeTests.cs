using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Microsoft.Extensions.Time.Testing;
using Rebound.Record.Journal;
using static Rebound.Tests.Record.Journal.JournalTestEvents;

namespace Rebound.Tests.Record.Journal;

/// <summary>The umask is the whole process's: these tests run alone.</summary>
[CollectionDefinition(nameof(UmaskCollection), DisableParallelization = true)]
public sealed class UmaskCollection;

[Collection(nameof(UmaskCollection))]
[SupportedOSPlatform("linux")]
public sealed class JournalFileModeTests : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("rebound-journal-mode-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string DbPath => Path.Combine(_dir.FullName, EventJournal.FileName);

    [Fact]
    public async Task The_journal_and_its_wal_and_shm_files_are_owner_only_under_umask_022()
    {
        var previous = Umask(0x12); // 022
        try
        {
            await using var journal = EventJournal.Start(new EventJournalOptions { Path = DbPath }, new FakeTimeProvider(Start), _ => { });
            journal.Append(Event(Start, "public-address-changed", null, 1));
            await journal.FlushAsync(TestContext.Current.CancellationToken);

            // While the writer is open, the WAL and the shared-memory index exist beside the database.
            foreach (var file in new[] { DbPath, DbPath + "-wal", DbPath + "-shm" })
                Assert.Equal((file, OwnerOnly), (file, File.GetUnixFileMode(file)));
        }
        finally
        {
            _ = Umask(previous);
        }
    }

    [Fact]
    public async Task A_journal_an_older_version_left_world_readable_becomes_owner_only_when_opened_for_writing()
    {
        var previous = Umask(0x12);
        try
        {
            await using (var first = EventJournal.Start(new EventJournalOptions { Path = DbPath }, new FakeTimeProvider(Start), _ => { }))
                await first.FlushAsync(TestContext.Current.CancellationToken);
            File.SetUnixFileMode(DbPath, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

            await using var journal = EventJournal.Start(new EventJournalOptions { Path = DbPath }, new FakeTimeProvider(Start), _ => { });
            journal.Append(Event(Start, "public-address-changed", null, 1));
            await journal.FlushAsync(TestContext.Current.CancellationToken);

            Assert.Equal(OwnerOnly, File.GetUnixFileMode(DbPath));
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(DbPath + "-wal"));
            Assert.Single(journal.Query());
        }
        finally
        {
            _ = Umask(previous);
        }
    }

    [DllImport("libc", EntryPoint = "umask")]
    private static extern uint Umask(uint mask);
}
