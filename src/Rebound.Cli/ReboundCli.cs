using System.CommandLine;
using System.Runtime.InteropServices;
using Rebound.Cli.Commands;

namespace Rebound.Cli;

/// <summary>Builds the command tree and maps every failure to one stderr line and a documented exit code.</summary>
internal static class ReboundCli
{
    public static RootCommand CreateRoot(CliServices services) =>
        new("Rebound keeps tunnels and DNS names working when the network upstream of this host fails over.")
        {
            ProbeCommand.Create(services),
            WatchCommand.Create(services),
        };

    public static async Task<int> RunAsync(string[] args, CliServices? services = null, CancellationToken ct = default)
    {
        services ??= Runtime.Real();
        var stderr = services.Stderr;
        var root = CreateRoot(services);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            await stderr.WriteLineAsync($"rebound: {parse.Errors[0].Message} (see 'rebound --help')");
            return ExitCodes.BadInput;
        }

        // Our own signal handling: SIGINT/SIGTERM cancel the command, which then exits 0 after cleaning up.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        try
        {
            var invocation = new InvocationConfiguration
            {
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = null,
                Output = new StreamWriter(services.Stdout, leaveOpen: true) { AutoFlush = true },
                Error = stderr,
            };
            return await parse.InvokeAsync(invocation, stop.Token);
        }
        catch (UsageException ex)
        {
            await stderr.WriteLineAsync($"rebound: {ex.Message}");
            return ExitCodes.BadInput;
        }
        catch (OperationCanceledException)
        {
            return ExitCodes.Success;
        }
#pragma warning disable CA1031 // The last line of defence: one line, never a stack trace.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            await stderr.WriteLineAsync($"rebound: error: {ex.Message}");
            return ExitCodes.RuntimeFailure;
        }

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }
}
