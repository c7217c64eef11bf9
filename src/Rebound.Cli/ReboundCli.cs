using System.CommandLine;
using System.Runtime.InteropServices;
using Rebound.Cli.Commands;

namespace Rebound.Cli;

/// <summary>Builds the command tree and maps every failure to one stderr line and a documented exit code.</summary>
internal static class ReboundCli
{
    public static RootCommand CreateRoot(CliServices services) => GroupHelpAction.Install(
        new("""
            Rebound keeps tunnels and DNS names working when the network upstream of this host fails over.

            It watches the public address with STUN, confirms every change, and then acts: DNS records are
            updated and verified, tunnels and stale flows are healed, hooks are told, and everything is
            journaled. Try 'rebound probe' and 'rebound watch'; check a configuration with 'rebound
            check-config' and run the agent with 'rebound run'; 'rebound status' and 'rebound events' show
            what it did. The configuration file, event fields and exit codes are described in the manual
            pages rebound(8) and rebound.toml(5) and in README.md (Configuration, CLI contract, Exit codes).

            Exit codes (every command): 0 success, 1 runtime failure, 2 bad input (nothing was done).
            """)
        {
            ProbeCommand.Create(services),
            WatchCommand.Create(services),
            RunCommand.Create(services),
            CheckConfigCommand.Create(services),
            DdnsUpdateCommand.Create(services),
            EventsCommand.Create(services),
            StatusCommand.Create(services),
            TuneCommand.Create(services),
            CommandTreeCommand.Create(services),
        });

    public static async Task<int> RunAsync(string[] args, CliServices? services = null, CancellationToken ct = default)
    {
        services ??= Runtime.Real();
        var stderr = services.Stderr;

        // Our own signal handling: SIGINT/SIGTERM cancel the command, which then exits 0 after cleaning up.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        try
        {
            // No @response files: an argument is only ever what it says.
            var parse = CreateRoot(services).Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
            if (parse.Errors.Count > 0)
            {
                // An unknown token explains more than "required command was not provided".
                var error = parse.Errors.FirstOrDefault(e => parse.UnmatchedTokens.Any(t => e.Message.Contains(t, StringComparison.Ordinal)))
                    ?? parse.Errors[0];
                Complain(stderr, $"{error.Message} (see 'rebound --help')");
                return ExitCodes.BadInput;
            }

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
            Complain(stderr, ex.Message);
            return ExitCodes.BadInput;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return ExitCodes.Success;
        }
        catch (StdoutClosedException)
        {
            // Whoever read our output has gone (e.g. `| head -1`): nobody is left to tell.
            return ExitCodes.Success;
        }
#pragma warning disable CA1031 // The last line of defence: one line, never a stack trace.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Complain(stderr, $"error: {ex.Message}");
            return ExitCodes.RuntimeFailure;
        }

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }

    /// <summary>One line on stderr, whatever the message holds; a closed stderr must not turn into a crash.</summary>
    private static void Complain(TextWriter stderr, string message)
    {
        try
        {
            stderr.WriteLine($"rebound: {message.ReplaceLineEndings(" ")}");
            stderr.Flush();
        }
#pragma warning disable CA1031 // A closed stderr fails with IOException or UnauthorizedAccessException (EBADF); the exit code still tells.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
