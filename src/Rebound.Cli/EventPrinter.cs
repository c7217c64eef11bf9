using System.Buffers;
using System.Text;
using System.Text.Json;
using Rebound.Act.Ddns.Engine;
using Rebound.Decide;
using Rebound.Record;

namespace Rebound.Cli;

/// <summary>
/// Writes events to stdout, one line each, flushed at once. Watcher and DDNS events come from different
/// tasks, so lines are serialised here. A closed stdout surfaces as <see cref="StdoutClosedException"/>.
/// </summary>
internal sealed class EventPrinter(Stream stdout, bool json)
{
    private readonly Lock _gate = new();

    public ValueTask Print(WanEvent e)
    {
        Write(writer => WanEventJson.Write(writer, e), () => WanEventText.Format(e));
        return ValueTask.CompletedTask;
    }

    public void Print(DdnsEvent e)
    {
        foreach (var name in DdnsEventJson.Names(e))
        {
            Write(writer => DdnsEventJson.Write(writer, e, name), () => DdnsEventJson.Text(e, name));
        }
    }

    /// <summary>An event already rendered for the journal: <c>--json</c> prints exactly what is recorded.</summary>
    public void Print(RecordedEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        Write(writer => writer.WriteRawValue(e.Json, skipInputValidation: true), () => Text(e));
    }

    private static string Text(RecordedEvent e) => e.Source switch
    {
        WanEvent w => WanEventText.Format(w),
        DdnsEvent d => DdnsEventJson.Text(d, e.Target),
        AgentNotice n => $"{EventTime.Format(n.Time)} {n.Name}: {n.Message}",
        Rebound.Act.Heal.HealEvent h => HealEventJson.Text(h),
        Rebound.Act.Hooks.HookEvent k => Rebound.Act.Hooks.HookEventJson.Text(k),
        _ => $"{EventTime.Format(e.Time)} {e.Kind}{(e.Target is null ? "" : " " + e.Target)}",
    };

    private void Write(Action<Utf8JsonWriter> asJson, Func<string> asText)
    {
        lock (_gate)
        {
            try
            {
                // One write(2) per line, so nothing sharing the descriptor can land inside it.
                var line = new ArrayBufferWriter<byte>(256);
                if (json)
                {
                    using (var writer = new Utf8JsonWriter(line))
                    {
                        asJson(writer);
                    }

                    line.Write("\n"u8);
                }
                else
                {
                    line.Write(Encoding.UTF8.GetBytes(asText() + "\n"));
                }

                stdout.Write(line.WrittenSpan);

                // Each event must be visible the moment it happens, even through a pipe.
                stdout.Flush();
            }
            catch (IOException ex)
            {
                throw new StdoutClosedException(ex);
            }
        }
    }
}
