using System.Globalization;
using System.Threading.Channels;
using Rebound.Record.Journal.Sqlite;

namespace Rebound.Record.Journal;

/// <summary>
/// Every event, in SQLite (WAL) in the state directory. <see cref="OnEvent"/> only queues; a background task
/// writes batches in single transactions, prunes by age and count (at start and every
/// <see cref="EventJournalOptions.PruneInterval"/>), and flushes on dispose.
/// <para>
/// A journal that cannot be used never stops the agent. A damaged file (not a database, failing
/// quick_check) is renamed to <c>journal.db.corrupt-YYYYMMDDTHHMMSSZ</c> (kept for inspection) and a new one
/// is started; any other failure (permissions, a newer schema, no SQLite library) leaves the agent running
/// without a journal. Either way there is one warning line. Write failures later (disk full) warn once and
/// drop that batch; the next success re-arms the warning.
/// </para>
/// </summary>
public sealed class EventJournal : IEventSink, IAsyncDisposable
{
    public const string FileName = "journal.db";

    private readonly EventJournalOptions _options;
    private readonly TimeProvider _time;
    private readonly Action<string> _warn;
    private readonly Channel<Item> _queue;
    private readonly JournalStore? _store;
    private readonly Task _writer = Task.CompletedTask;
    private readonly ITimer? _pruneTimer;
    private int _dropWarned;
    private bool _writeWarned;
    private int _disposed;

    private EventJournal(EventJournalOptions options, TimeProvider time, Action<string> warn, JournalStore? store)
    {
        _options = options;
        _time = time;
        _warn = warn;
        _store = store;
        _queue = Channel.CreateBounded<Item>(new BoundedChannelOptions(Math.Max(1, options.QueueCapacity))
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        if (store is null)
        {
            _queue.Writer.TryComplete();
            return;
        }

        _queue.Writer.TryWrite(Item.Prune);
        _pruneTimer = time.CreateTimer(_ => _queue.Writer.TryWrite(Item.Prune), null, options.PruneInterval, options.PruneInterval);
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>The journal file.</summary>
    public string Path => _options.Path;

    /// <summary>False when the journal could not be opened (the warning said why): events are then discarded.</summary>
    public bool IsEnabled => _store is not null;

    /// <summary>Opens (or creates) the journal and starts its writer; never throws for a bad file (see the class remarks).</summary>
    public static EventJournal Start(EventJournalOptions options, TimeProvider time, Action<string> warn)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(warn);
        return new EventJournal(options, time, warn, OpenStore(options, time, warn));
    }

    private static JournalStore? OpenStore(EventJournalOptions options, TimeProvider time, Action<string> warn)
    {
        var path = options.Path;
        try
        {
            if (System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)) is { } directory)
                Directory.CreateDirectory(directory);
            try
            {
                return JournalStore.OpenForWriting(path, options.BusyTimeout);
            }
            catch (SqliteException ex) when (ex.IsCorruption)
            {
                var aside = $"{path}.corrupt-{time.GetUtcNow().UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}";
                File.Move(path, aside, overwrite: true);
                foreach (var suffix in new[] { "-wal", "-shm" })
                {
                    if (File.Exists(path + suffix))
                        File.Move(path + suffix, aside + suffix, overwrite: true);
                }

                var store = JournalStore.OpenForWriting(path, options.BusyTimeout);
                warn($"event journal {path} was damaged ({JournalStore.OneLine(ex.Message)}); moved it to {aside} and started a new one");
                return store;
            }
        }
        catch (Exception ex) when (ex is SqliteException or JournalException or IOException or UnauthorizedAccessException
            or DllNotFoundException or EntryPointNotFoundException)
        {
            var reason = ex switch
            {
                DllNotFoundException => "the SQLite library libsqlite3.so.0 is not installed",
                EntryPointNotFoundException => "the SQLite library is too old",
                UnauthorizedAccessException => "permission denied",
                _ => JournalStore.OneLine(ex.Message),
            };
            warn($"event journal {path} cannot be used ({reason}); running without a journal");
            return null;
        }
    }

    public void OnEvent(RecordedEvent recorded) => Append(JournalLine.Of(recorded));

    /// <summary>Queues one line; never blocks (a journal that falls behind drops lines, with one warning).</summary>
    public void Append(JournalLine line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (_store is null || Volatile.Read(ref _disposed) != 0)
            return;
        if (!_queue.Writer.TryWrite(new Item(line, null, false)) && Volatile.Read(ref _disposed) == 0
            && Interlocked.Exchange(ref _dropWarned, 1) == 0)
            _warn($"event journal {Path} is falling behind; dropping events until the disk catches up");
    }

    /// <summary>Completes when every event queued before the call has been committed (or failed to be).</summary>
    public async Task FlushAsync(CancellationToken ct = default)
    {
        if (_store is null)
            return;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await _queue.Writer.WriteAsync(new Item(null, done, false), ct).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            await _writer.ConfigureAwait(false);
            return;
        }

        await done.Task.WaitAsync(ct).ConfigureAwait(false);
    }

    /// <summary>The newest <paramref name="limit"/> events at or after <paramref name="since"/> (of <paramref name="kinds"/> if given), oldest first.</summary>
    /// <exception cref="JournalException">The file cannot be read.</exception>
    public IReadOnlyList<JournalEntry> Query(DateTimeOffset? since = null, IReadOnlyCollection<string>? kinds = null, int limit = 1000)
    {
        using var reader = JournalReader.Open(Path);
        return reader.Query(since, kinds, limit);
    }

    /// <summary>The newest event of <paramref name="kind"/>, about <paramref name="target"/> when given; null if none.</summary>
    /// <exception cref="JournalException">The file cannot be read.</exception>
    public JournalEntry? Latest(string kind, string? target = null)
    {
        using var reader = JournalReader.Open(Path);
        return reader.Latest(kind, target);
    }

    /// <summary>For each target, the newest event of <paramref name="kind"/> (e.g. the last heal-verified per target).</summary>
    /// <exception cref="JournalException">The file cannot be read.</exception>
    public IReadOnlyList<JournalEntry> LatestPerTarget(string kind)
    {
        using var reader = JournalReader.Open(Path);
        return reader.LatestPerTarget(kind);
    }

    private async Task WriteLoopAsync()
    {
        var store = _store!;
        var batch = new List<JournalLine>(_options.MaxBatch);
        var flushes = new List<TaskCompletionSource>();
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            bool prune = false;
            while (batch.Count < _options.MaxBatch && reader.TryRead(out var item))
            {
                if (item.Event is { } e)
                    batch.Add(e);
                else if (item.Flush is { } flush)
                    flushes.Add(flush);
                else
                    prune = true;
            }

            Write(store, batch);
            if (prune)
                Prune(store);
            batch.Clear();
            foreach (var flush in flushes)
                flush.TrySetResult();
            flushes.Clear();
        }
    }

    private void Write(JournalStore store, List<JournalLine> batch)
    {
        if (batch.Count == 0)
            return;
        try
        {
            store.Insert(batch);
            _writeWarned = false;
            Volatile.Write(ref _dropWarned, 0);
        }
#pragma warning disable CA1031 // Whatever fails (disk full, I/O error, a bug), the writer must live on: FlushAsync callers wait for it.
        catch (Exception ex) when (ex is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            if (!_writeWarned)
                _warn($"event journal {Path}: cannot write {batch.Count} event(s) ({JournalStore.OneLine(ex.Message)}); they are lost");
            _writeWarned = true;
        }
    }

    private void Prune(JournalStore store)
    {
        try
        {
            store.Prune(_time.GetUtcNow() - _options.Retention, _options.MaxEvents);
        }
#pragma warning disable CA1031 // As for writes: the writer must live on.
        catch (Exception ex) when (ex is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            if (!_writeWarned)
                _warn($"event journal {Path}: cannot delete old events ({JournalStore.OneLine(ex.Message)})");
            _writeWarned = true;
        }
    }

    /// <summary>Writes what is queued (waiting at most <see cref="EventJournalOptions.ShutdownTimeout"/>) and closes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        if (_pruneTimer is not null)
            await _pruneTimer.DisposeAsync().ConfigureAwait(false);
        _queue.Writer.TryComplete();
        try
        {
            await _writer.WaitAsync(_options.ShutdownTimeout, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The writer still holds the connection: leave it to process exit (SQLite's WAL keeps what was committed).
            _warn($"event journal {Path}: shutdown did not finish writing within {_options.ShutdownTimeout.TotalSeconds:0.#} s; the last events may be lost");
            return;
        }

        _store?.Dispose();
    }

    private sealed record Item(JournalLine? Event, TaskCompletionSource? Flush, bool IsPrune)
    {
        public static readonly Item Prune = new(null, null, true);
    }
}
