using System.Text;
using System.Text.Json;

namespace Rebound.Act.Tune;

/// <summary>
/// What was there before the first <c>tune --apply</c>: each changed setting's original value, and the drop-in
/// file's previous content (null: there was none). Written once and only extended, so applying twice never
/// loses the originals; <c>--revert</c> restores exactly this.
/// </summary>
public sealed class TuneBackup
{
    public const int Version = 1;

    public DateTimeOffset Created { get; init; }

    /// <summary>Setting key → value before Rebound first changed it, in the order they were changed.</summary>
    public List<KeyValuePair<string, string>> Values { get; } = [];

    public string? PreviousDropIn { get; init; }

    public bool Has(string key) => Values.Exists(v => v.Key == key);

    public byte[] ToJson()
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("version", Version);
            json.WriteString("created", Created);
            json.WriteStartObject("values");
            foreach (var (key, value) in Values)
            {
                json.WriteString(key, value);
            }

            json.WriteEndObject();
            if (PreviousDropIn is null)
            {
                json.WriteNull("previousDropIn");
            }
            else
            {
                json.WriteString("previousDropIn", PreviousDropIn);
            }

            json.WriteEndObject();
        }

        stream.WriteByte((byte)'\n');
        return stream.ToArray();
    }

    /// <summary>Parses a backup; throws <see cref="TuneException"/> with one line when it is not one.</summary>
    public static TuneBackup Parse(ReadOnlySpan<byte> utf8, string path)
    {
        try
        {
            using var document = JsonDocument.Parse(utf8.ToArray());
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("version", out var version) || version.ValueKind != JsonValueKind.Number || version.GetInt32() != Version
                || !root.TryGetProperty("values", out var values) || values.ValueKind != JsonValueKind.Object)
            {
                throw new TuneException($"{path}: not a version {Version} tune backup");
            }

            var previous = root.TryGetProperty("previousDropIn", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
            var created = root.TryGetProperty("created", out var c) && c.ValueKind == JsonValueKind.String && c.TryGetDateTimeOffset(out var when) ? when : default;
            var backup = new TuneBackup { Created = created, PreviousDropIn = previous };
            foreach (var property in values.EnumerateObject())
            {
                if (property.Value.ValueKind != JsonValueKind.String || !IsSafeKey(property.Name) || !IsSafeValue(property.Value.GetString()!))
                {
                    throw new TuneException($"{path}: bad value for {Clip(property.Name)}");
                }

                backup.Values.Add(new(property.Name, property.Value.GetString()!));
            }

            return backup;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            throw new TuneException($"{path}: not valid JSON ({ex.GetType().Name})", ex);
        }
    }

    /// <summary>A sysctl key: dotted lower-case words, never a path that could leave /proc/sys.</summary>
    public static bool IsSafeKey(string key) =>
        key.Length is > 0 and < 128 && !key.Contains("..", StringComparison.Ordinal) && key[0] != '.' && key[^1] != '.'
        && key.All(ch => ch is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '.' or '-');

    private static bool IsSafeValue(string value) => value.Length < 256 && !value.Contains('\n', StringComparison.Ordinal);

    private static string Clip(string text) => text.Length <= 40 ? $"\"{text}\"" : $"a key of {text.Length} characters";

    internal static void WriteAtomically(string path, byte[] bytes) => Rebound.Record.AtomicFile.Write(path, stream => stream.Write(bytes));

    internal static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}

/// <summary>tune could not read or write something; the message is one line.</summary>
public sealed class TuneException : Exception
{
    public TuneException()
    {
    }

    public TuneException(string message)
        : base(message)
    {
    }

    public TuneException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
