using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Rebound.Record.Journal;
using Rebound.Record.Journal.Sqlite;

namespace Rebound.Tests.Record.Journal;

/// <summary>
/// A writer process (tests/Rebound.JournalCrashWriter) prints each event number once its transaction has committed;
/// we SIGKILL it at random moments - during start-up, schema creation, batches, checkpoints - and check that the file
/// is intact and holds every number it reported.
/// </summary>
public sealed class JournalKillTests : IDisposable
{
    private const int Lanes = 4;
    private const int IterationsPerLane = 5;

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("rebound-journal-kill-");

    public void Dispose() => _dir.Delete(recursive: true);

    private static string WriterDll => Path.Combine(AppContext.BaseDirectory, "Rebound.JournalCrashWriter.dll");

    [Fact]
    public async Task Killing_the_writer_at_any_moment_loses_no_committed_event_and_never_corrupts_the_file()
    {
        // Four files side by side keep the wall time down: most of an iteration is a process starting.
        var lanes = await Task.WhenAll(Enumerable.Range(0, Lanes).Select(lane => Task.Run(() => RunLaneAsync(lane), TestContext.Current.CancellationToken)));

        Assert.True(lanes.Sum(l => l.KilledWhileWriting) >= Lanes * IterationsPerLane / 2, "too few kills happened while events were being written");
        Assert.True(lanes.All(l => l.Reported > 0), "every lane committed events");
    }

    private async Task<(int Reported, int KilledWhileWriting)> RunLaneAsync(int lane)
    {
        var ct = TestContext.Current.CancellationToken;
        var path = Path.Combine(_dir.FullName, $"lane{lane}", EventJournal.FileName);
        var random = new Random();
        var reported = new HashSet<long>();
        int killedWhileWriting = 0;
        for (int iteration = 0; iteration < IterationsPerLane; iteration++)
        {
            var lines = new ConcurrentQueue<string>();
            var stderr = new ConcurrentQueue<string>();
            using var writer = Process.Start(new ProcessStartInfo("dotnet", ["exec", WriterDll, path, (iteration * 1_000_000L).ToString(CultureInfo.InvariantCulture)])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            writer.OutputDataReceived += (_, e) => { if (e.Data is { } line) lines.Enqueue(line); };
            writer.ErrorDataReceived += (_, e) => { if (e.Data is { } line) stderr.Enqueue(line); };
            writer.BeginOutputReadLine();
            writer.BeginErrorReadLine();

            // Every third kill lands anywhere from process start (opening, migrating, pruning); the others while it writes.
            if ((iteration + lane) % 3 != 0)
            {
                var started = Stopwatch.StartNew();
                while (lines.IsEmpty && !writer.HasExited && started.Elapsed < TimeSpan.FromSeconds(20))
                    await Task.Delay(5, ct);
            }

            await Task.Delay(random.Next(0, 200), ct);
            if (writer.HasExited)
                Assert.Fail($"the writer exited by itself ({writer.ExitCode}): {string.Join(" | ", stderr)}");
            writer.Kill(); // SIGKILL on Unix
            await writer.WaitForExitAsync(ct);
            writer.WaitForExit(); // drains the redirected output
            Assert.Equal(137, writer.ExitCode);
            Assert.Empty(stderr);

            foreach (var line in lines)
                reported.Add(long.Parse(line, CultureInfo.InvariantCulture));
            if (!lines.IsEmpty)
                killedWhileWriting++;

            if (!File.Exists(path))
                continue; // killed before it created anything
            using (var db = SqliteDatabase.Open(path, readOnly: false, TimeSpan.FromSeconds(5)))
                Assert.Equal("ok", db.QueryText("PRAGMA integrity_check"));
            using var reader = JournalReader.Open(path);
            var stored = reader.Query(kinds: ["crash-test"], limit: int.MaxValue).Select(e => long.Parse(e.Target![1..], CultureInfo.InvariantCulture)).ToHashSet();
            var lost = reported.Where(n => !stored.Contains(n)).Take(5).ToList();
            Assert.True(lost.Count == 0, $"lane {lane}, iteration {iteration}: committed events missing after kill -9: {string.Join(", ", lost)}");
        }

        return (reported.Count, killedWhileWriting);
    }
}
