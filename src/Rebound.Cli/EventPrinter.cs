using System.Text;
using Rebound.Decide;
using Rebound.Record;

namespace Rebound.Cli;

/// <summary>
/// Writes events to stdout, one line each, flushed at once: with <c>--json</c> exactly the JSON that is recorded,
/// else the catalogue's human line. Watcher and engine events come from different tasks, so lines are serialised
/// here. A closed stdout surfaces as <see cref="StdoutClosedException"/>.
/// </summary>
internal sealed class EventPrinter(Stream stdout, bool json)
{
    private readonly Lock _gate = new();

    /// <summary>For the watcher's callback.</summary>
    public ValueTask Print(WanEvent e)
    {
        Print((ReboundEvent)e);
        return ValueTask.CompletedTask;
    }

    /// <summary>Every copy of the event (a DDNS event has one per record name).</summary>
    public void Print(ReboundEvent e)
    {
        foreach (var recorded in EventCatalogue.Record(e))
        {
            Print(recorded);
        }
    }

    public void Print(RecordedEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        lock (_gate)
        {
            try
            {
                // One write(2) per line, so nothing sharing the descriptor can land inside it.
                stdout.Write(Encoding.UTF8.GetBytes((json ? e.Json : e.Text) + "\n"));

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
