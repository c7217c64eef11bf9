using System.Text;
using Rebound.Record;
using Rebound.Record.Status;

namespace Rebound.Cli.Agent;

/// <summary>
/// Keeps the agent's status snapshot in the state directory (<c>status.json</c>), so that
/// <c>rebound status</c> can still say what was last known when the agent is not running. Written after
/// events on a background task (coalesced: a burst of events is one write), atomically (temp file + rename).
/// </summary>
internal sealed class StatusFile : IEventSink, IAsyncDisposable
{
    public const string FileName = "status.json";

    private readonly StatusBoard _board;
    private readonly string _path;
    private readonly Action<string> _warn;
    private readonly SemaphoreSlim _dirty = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _writer;
    private bool _warned;

    public StatusFile(StatusBoard board, string stateDirectory, Action<string> warn)
    {
        _board = board;
        _path = Path.Combine(stateDirectory, FileName);
        _warn = warn;
        _writer = Task.Run(WriteLoopAsync);
    }

    public void OnEvent(RecordedEvent recorded)
    {
        try
        {
            _dirty.Release();
        }
        catch (SemaphoreFullException)
        {
            // A write is already due; it will include this event.
        }
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            while (true)
            {
                await _dirty.WaitAsync(_stop.Token);
                Write();
            }
        }
        catch (OperationCanceledException)
        {
            Write();
        }
    }

    private void Write()
    {
        try
        {
            AtomicFile.Write(_path, stream => stream.Write(Encoding.UTF8.GetBytes(StatusJson.Serialize(_board.Snapshot()))));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            if (!_warned)
            {
                _warned = true;
                _warn($"cannot save the status to {_path}: {ex.Message}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _writer;
        _stop.Dispose();
        _dirty.Dispose();
    }
}
