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

    private void Write(Action<Utf8JsonWriter> asJson, Func<string> asText)
    {
        lock (_gate)
        {
            try
            {
                if (json)
                {
                    using (var writer = new Utf8JsonWriter(stdout))
                    {
                        asJson(writer);
                    }

                    stdout.WriteByte((byte)'\n');
                }
                else
                {
                    stdout.Write(Encoding.UTF8.GetBytes(asText() + "\n"));
                }

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
