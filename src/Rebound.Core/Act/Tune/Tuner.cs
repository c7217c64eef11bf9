using System.Globalization;
using System.Text;
using Rebound.Configuration;

namespace Rebound.Act.Tune;

/// <summary>A value tune changed (or put back).</summary>
public sealed record TuneChange(string Key, string From, string To);

/// <summary>
/// <c>rebound tune</c>'s engine: reads the settings under /proc/sys, applies the recommendations there and in a
/// sysctl.d drop-in (so they survive a reboot), and reverts exactly what it changed from a backup in the state
/// directory. Synchronous file work only, so it can run on a thread that entered another network namespace
/// (the net.* settings are per namespace).
/// </summary>
public sealed class Tuner(TuneOptions? options = null, TimeProvider? timeProvider = null)
{
    private readonly TuneOptions _options = options ?? new TuneOptions();
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    public TuneOptions Options => _options;

    public IReadOnlyList<TuneRow> Inspect() =>
        [.. _options.Settings.Select(s => Read(s) is { } current
            ? new TuneRow(s, current, !long.TryParse(current, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value > s.Recommended)
            : new TuneRow(s, null, false))];

    /// <summary>Whether a backup exists, i.e. <c>--revert</c> has something to restore.</summary>
    public bool HasBackup => File.Exists(_options.BackupPath);

    /// <summary>Applies every recommendation whose setting is above it; returns what changed (empty: nothing to do).</summary>
    public IReadOnlyList<TuneChange> Apply()
    {
        var rows = Inspect().Where(r => r.NeedsChange).ToList();
        var backup = LoadBackup() ?? new TuneBackup { Created = _time.GetUtcNow(), PreviousDropIn = ReadText(_options.DropInPath) };
        if (rows.Count == 0 && backup.Values.Count == 0)
        {
            return [];
        }

        // The backup is on disk before anything changes, so an apply cut short can still be reverted.
        foreach (var row in rows.Where(r => !backup.Has(r.Setting.Key)))
        {
            backup.Values.Add(new(row.Setting.Key, row.Current!));
        }

        Guard(_options.BackupPath, () => TuneBackup.WriteAtomically(_options.BackupPath, backup.ToJson()));
        var changes = new List<TuneChange>();
        foreach (var row in rows)
        {
            Write(row.Setting.RelativePath, row.Setting.RecommendedText);
            changes.Add(new TuneChange(row.Setting.Key, row.Current!, row.Setting.RecommendedText));
        }

        Guard(_options.DropInPath, () => TuneBackup.WriteAtomically(_options.DropInPath, TuneBackup.Utf8(DropIn(backup))));
        return changes;
    }

    /// <summary>Puts back every value of the backup and the drop-in's previous state, then deletes the backup; null when there was no backup.</summary>
    public IReadOnlyList<TuneChange>? Revert()
    {
        var backup = LoadBackup();
        if (backup is null)
        {
            return null;
        }

        var changes = new List<TuneChange>();
        foreach (var (key, original) in backup.Values)
        {
            var relative = key.Replace('.', '/');
            var now = ReadText(Path.Combine(_options.ProcSysRoot, relative))?.Trim();
            if (now is null)
            {
                continue; // the setting is gone (module unloaded): nothing to restore
            }

            Write(relative, original);
            changes.Add(new TuneChange(key, now, original));
        }

        Guard(_options.DropInPath, () =>
        {
            if (backup.PreviousDropIn is { } previous)
            {
                TuneBackup.WriteAtomically(_options.DropInPath, TuneBackup.Utf8(previous));
            }
            else
            {
                File.Delete(_options.DropInPath);
            }
        });
        Guard(_options.BackupPath, () => File.Delete(_options.BackupPath));
        return changes;
    }

    private string DropIn(TuneBackup backup)
    {
        var text = new StringBuilder();
        text.Append("# Written by 'rebound tune --apply'; 'rebound tune --revert' restores the previous values and removes this file.\n");
        foreach (var setting in _options.Settings.Where(s => backup.Has(s.Key)))
        {
            text.Append(CultureInfo.InvariantCulture, $"{setting.Key} = {setting.RecommendedText}\n");
        }

        return text.ToString();
    }

    private TuneBackup? LoadBackup()
    {
        var path = _options.BackupPath;
        byte[] bytes;
        try
        {
            bytes = Encoding.UTF8.GetBytes(BoundedFile.ReadText(path, BoundedFile.MaxConfigBytes));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new TuneException($"cannot read {path}: {ex.Message}", ex);
        }

        return TuneBackup.Parse(bytes, path);
    }

    private string? Read(TuneSetting setting) => ReadText(Path.Combine(_options.ProcSysRoot, setting.RelativePath))?.Trim();

    private static string? ReadText(string path)
    {
        try
        {
            // Only a regular file, and capped: a FIFO or /dev/zero planted in place of a sysctl or the drop-in must not hang or fill memory.
            return BoundedFile.ReadText(path, BoundedFile.MaxConfigBytes);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new TuneException($"cannot read {path}: {ex.Message}", ex);
        }
    }

    private void Write(string relative, string value)
    {
        var path = Path.Combine(_options.ProcSysRoot, relative);
        Guard(path, () =>
        {
            // Truncate, never create: a setting that does not exist must not become a file (O_TRUNC is what `echo >` does on /proc/sys).
            using var file = new FileStream(path, FileMode.Truncate, FileAccess.Write, FileShare.ReadWrite);
            file.Write(Encoding.ASCII.GetBytes(value + "\n"));
        });
    }

    private static void Guard(string path, Action action)
    {
        try
        {
            action();
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new TuneException($"cannot write {path}: permission denied (run as root)", ex);
        }
        catch (IOException ex)
        {
            throw new TuneException($"cannot write {path}: {ex.Message}", ex);
        }
    }
}
