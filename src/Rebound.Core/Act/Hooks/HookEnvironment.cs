using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Rebound.Act.Hooks;

/// <summary>
/// The environment a command hook gets, in the manner of ddclient and mwan3.user: <c>REBOUND_EVENT</c>,
/// <c>REBOUND_TIME</c>, <c>REBOUND_TARGET</c> (the JSON <c>target</c>), and <c>REBOUND_&lt;FIELD&gt;</c> for each top-level scalar
/// field of the event JSON (<c>elapsedMs</c> becomes <c>REBOUND_ELAPSED_MS</c>). Nothing else of the agent's
/// environment is passed on but PATH: it may hold provider tokens (<c>token_env</c>).
/// </summary>
public static class HookEnvironment
{
    public const string DefaultPath = Commands.ProcessCommandRunner.DefaultSearchPath;

    public static Dictionary<string, string> For(string kind, string? target, string json, string? path)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(json);
        var env = new Dictionary<string, string>(StringComparer.Ordinal) { ["PATH"] = string.IsNullOrEmpty(path) ? DefaultPath : path };
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    string? value = property.Value.ValueKind switch
                    {
                        JsonValueKind.String => property.Value.GetString(),
                        JsonValueKind.Number => property.Value.GetRawText(),
                        JsonValueKind.True => "true",
                        JsonValueKind.False => "false",
                        _ => null,
                    };
                    if (value is not null && !value.Contains('\0', StringComparison.Ordinal) && VariableName(property.Name) is { } name)
                        env[name] = value;
                }
            }
        }
        catch (JsonException)
        {
            // Only the fixed variables then; the hook still gets the text on stdin.
        }

        env["REBOUND_EVENT"] = kind;
        // The event's own "target" field (a DDNS event's target id, a heal target) wins, so REBOUND_TARGET always
        // equals the JSON's target; a DDNS event's record name is REBOUND_NAME (its "name" field).
        if (env.TryGetValue("REBOUND_TARGET", out var own) && own.Length > 0)
            return env;
        if (target is not null)
            env["REBOUND_TARGET"] = target;
        else
            env.Remove("REBOUND_TARGET");
        return env;
    }

    /// <summary><c>elapsedMs</c> → <c>REBOUND_ELAPSED_MS</c>; null for names that give no usable variable.</summary>
    public static string? VariableName(string field)
    {
        ArgumentNullException.ThrowIfNull(field);
        var name = new StringBuilder("REBOUND_");
        bool any = false;
        for (int i = 0; i < field.Length; i++)
        {
            char c = field[i];
            if (char.IsAsciiLetterUpper(c) && i > 0 && (char.IsAsciiLetterLower(field[i - 1]) || char.IsAsciiDigit(field[i - 1])))
                name.Append('_');
            if (char.IsAsciiLetterOrDigit(c))
            {
                name.Append(char.ToUpper(c, CultureInfo.InvariantCulture));
                any = true;
            }
            else if (name[^1] != '_')
            {
                name.Append('_');
            }
        }

        return any ? name.ToString().TrimEnd('_') : null;
    }
}
