namespace Rebound.Cli.Commands;

/// <summary>
/// Runs a long-lived command until SIGINT/SIGTERM (the token) or until nobody reads our output any more;
/// both are a normal stop (exit 0).
/// </summary>
internal static class Foreground
{
    public static async Task RunAsync(CliServices services, Func<CancellationTokenSource, Task> body, CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var readerGone = services.StdoutReaderGone(stop.Token);
        _ = readerGone.ContinueWith(_ => stop.Cancel(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
        try
        {
            await body(stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // A normal stop.
        }
        finally
        {
            await stop.CancelAsync();
            await readerGone.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
    }
}
