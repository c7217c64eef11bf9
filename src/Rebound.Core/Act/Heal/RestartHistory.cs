using System.Globalization;
using System.Text.Json;
using Rebound.Record;

namespace Rebound.Act.Heal;

/// <summary>
/// When each target was last restarted by the engine, persisted so that a daemon that crashes and is restarted
/// (perhaps because of the very restart it ordered) cannot loop restarts. Written like the DDNS cache: temp file
/// in the same directory, fsync, rename over the old one, fsync the directory; mode 0600. A missing file is an
/// empty history; an unreadable one is an empty history plus a warning.
/// </summary>
internal sealed class RestartHistory
{
    private const int Version = 1;

    /// <summary>The budget's window: restarts older than this no longer count.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromHours(1);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<DateTimeOffset>> _restarts = new(StringComparer.Ordinal);
    private readonly string? _path;

    private RestartHistory(string? path) => _path = path;

    public static RestartHistory Load(string? path, Action<string> warn)
    {
        var history = new RestartHistory(path);
        if (path is null || !File.Exists(path))
            return history;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("version", out var version)
                || version.ValueKind != JsonValueKind.Number || version.GetInt32() != Version
                || !root.TryGetProperty("restarts", out var restarts) || restarts.ValueKind != JsonValueKind.Object)
            {
                warn($"heal state {path} has an unknown format; starting with an empty restart history");
                return history;
            }

            foreach (var target in restarts.EnumerateObject())
            {
                if (target.Value.ValueKind != JsonValueKind.Array)
                    continue;
                var times = new List<DateTimeOffset>();
                foreach (var item in target.Value.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.String
                        && DateTimeOffset.TryParse(item.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at))
                    {
                        times.Add(at);
                    }
                }

                history._restarts[target.Name] = times;
            }
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException or InvalidOperationException or FormatException)
        {
            history._restarts.Clear();
            warn($"heal state {path} is unreadable ({ex.GetType().Name}); starting with an empty restart history");
        }

        return history;
    }

    /// <summary>Restarts of <paramref name="target"/> within the window ending at <paramref name="now"/>.</summary>
    public IReadOnlyList<DateTimeOffset> Recent(string target, DateTimeOffset now)
    {
        lock (_gate)
            return _restarts.TryGetValue(target, out var times) ? [.. times.Where(t => t > now - Window && t <= now)] : [];
    }

    /// <summary>
    /// Takes one restart from the budget, recorded (and saved) before the restart runs, so a crash during it still
    /// counts. False when <paramref name="max"/> restarts already fall in the last hour. <paramref name="saveError"/>
    /// is a warning line when the history could not be written.
    /// </summary>
    public bool TryTake(string target, DateTimeOffset now, int max, out string? saveError)
    {
        saveError = null;
        lock (_gate)
        {
            var times = _restarts.TryGetValue(target, out var existing) ? existing : _restarts[target] = [];
            times.RemoveAll(t => t <= now - Window || t > now + Window);
            if (times.Count >= max)
                return false;
            times.Add(now);
            saveError = Save();
            return true;
        }
    }

    /// <summary>When the oldest counted restart leaves the window, i.e. when the budget has room again.</summary>
    public DateTimeOffset? FreeAt(string target, DateTimeOffset now)
    {
        var recent = Recent(target, now);
        return recent.Count == 0 ? null : recent.Min() + Window;
    }

    private string? Save()
    {
        if (_path is null)
            return null;
        try
        {
            AtomicFile.WriteJson(_path, Write);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"heal state {_path} not saved ({ex.GetType().Name}); the restart budget is kept in memory only";
        }
    }

    private void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteNumber("version", Version);
        writer.WriteStartObject("restarts");
        foreach (var (target, times) in _restarts.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (times.Count == 0)
                continue;
            writer.WriteStartArray(target);
            foreach (var at in times.Order())
                writer.WriteStringValue(at.ToString("O", CultureInfo.InvariantCulture));
            writer.WriteEndArray();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
