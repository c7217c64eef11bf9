using System.Globalization;
using System.Net;
using System.Text.Json;
using Rebound.Decide;
using Rebound.Record;

namespace Rebound.Act.Ddns.Engine;

/// <summary>
/// The last address sent successfully per (target id, name, family), and when. Persisted as JSON
/// (Utf8JsonWriter/JsonDocument, no reflection) by writing a temp file in the same directory, fsyncing
/// it, renaming it over the old one and fsyncing the directory; mode 0600. A missing file is an empty cache; an unreadable or
/// corrupt one is an empty cache plus a warning.
/// </summary>
internal sealed class DdnsCache
{
    private const int Version = 1;

    private readonly Lock _gate = new();
    private readonly Dictionary<CacheKey, CacheEntry> _entries = [];
    private readonly string? _path;

    private DdnsCache(string? path) => _path = path;

    /// <param name="renames">Former target id → current one: a record under a former id is read as the current
    /// target's (unless that one has its own), so a change of id derivation sends nothing again.</param>
    public static DdnsCache Load(string? path, Action<string> warn, IReadOnlyDictionary<string, string>? renames = null)
    {
        var cache = new DdnsCache(path);
        if (path is null || !File.Exists(path))
            return cache;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("version", out var version)
                || version.ValueKind != JsonValueKind.Number || version.GetInt32() != Version
                || !root.TryGetProperty("records", out var records) || records.ValueKind != JsonValueKind.Array)
            {
                warn($"DDNS cache {path} has an unknown format; starting with an empty cache");
                return cache;
            }

            int skipped = 0;
            var migrated = new Dictionary<CacheKey, CacheEntry>();
            foreach (var record in records.EnumerateArray())
            {
                if (!TryRead(record, out var key, out var entry))
                    skipped++;
                else if (renames is not null && renames.TryGetValue(key.TargetId, out var current))
                    migrated[key with { TargetId = current }] = entry;
                else
                    cache._entries[key] = entry;
            }

            foreach (var (key, entry) in migrated)
                cache._entries.TryAdd(key, entry);

            if (skipped > 0)
                warn($"DDNS cache {path}: {skipped} unreadable record(s) ignored");
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException or InvalidOperationException or FormatException)
        {
            cache._entries.Clear();
            warn($"DDNS cache {path} is unreadable ({ex.GetType().Name}); starting with an empty cache");
        }

        return cache;
    }

    private static bool TryRead(JsonElement record, out CacheKey key, out CacheEntry entry)
    {
        key = default;
        entry = default!;
        if (record.ValueKind != JsonValueKind.Object
            || !TryString(record, "target", out var target) || !TryString(record, "name", out var name)
            || !TryString(record, "family", out var familyText) || !TryString(record, "address", out var addressText)
            || !TryString(record, "sentAt", out var sentAtText)
            || !IPAddress.TryParse(addressText, out var address)
            || !DateTimeOffset.TryParse(sentAtText, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var sentAt))
        {
            return false;
        }

        IpFamily? family = familyText switch { "ipv4" => IpFamily.Ipv4, "ipv6" => IpFamily.Ipv6, _ => null };
        if (family is null || IpFamilyNames.Of(address) != family)
            return false;
        key = new CacheKey(target, NormaliseName(name), family.Value);
        entry = new CacheEntry(address, sentAt);
        return true;
    }

    private static bool TryString(JsonElement record, string property, out string value)
    {
        value = "";
        if (!record.TryGetProperty(property, out var element) || element.ValueKind != JsonValueKind.String)
            return false;
        value = element.GetString() ?? "";
        return value.Length > 0;
    }

    internal static string NormaliseName(string name) => name.TrimEnd('.').ToLowerInvariant();

    public CacheEntry? Get(string targetId, string name, IpFamily family)
    {
        lock (_gate)
            return _entries.TryGetValue(new CacheKey(targetId, NormaliseName(name), family), out var entry) ? entry : null;
    }

    public void Set(string targetId, string name, IpFamily family, CacheEntry entry)
    {
        lock (_gate)
            _entries[new CacheKey(targetId, NormaliseName(name), family)] = entry;
    }

    /// <summary>Forgets one record: the server was found not to hold what the cache says was sent.</summary>
    public void Remove(string targetId, string name, IpFamily family)
    {
        lock (_gate)
            _entries.Remove(new CacheKey(targetId, NormaliseName(name), family));
    }

    /// <summary>Writes the whole cache atomically; returns an error line, or null when saved (or not persisted).</summary>
    public string? Save()
    {
        if (_path is null)
            return null;
        lock (_gate)
        {
            try
            {
                AtomicFile.WriteJson(_path, Write);
                return null;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return $"DDNS cache {_path} not saved ({ex.GetType().Name}); records may be sent again after a restart";
            }
        }
    }

    private void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteNumber("version", Version);
        writer.WriteStartArray("records");
        foreach (var (key, entry) in _entries.OrderBy(e => e.Key.TargetId, StringComparer.Ordinal)
                     .ThenBy(e => e.Key.Name, StringComparer.Ordinal).ThenBy(e => e.Key.Family))
        {
            writer.WriteStartObject();
            writer.WriteString("target", key.TargetId);
            writer.WriteString("name", key.Name);
            writer.WriteString("family", key.Family.ToName());
            writer.WriteString("address", entry.Address.ToString());
            writer.WriteString("sentAt", entry.SentAt.ToString("O", CultureInfo.InvariantCulture));
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private readonly record struct CacheKey(string TargetId, string Name, IpFamily Family);
}

/// <summary>The last address the provider accepted for a record, and when.</summary>
internal sealed record CacheEntry(IPAddress Address, DateTimeOffset SentAt);
