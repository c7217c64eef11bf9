using System.Buffers;
using System.Collections;
using System.Text;

namespace Rebound.Act.Commands;

/// <summary>
/// Starts the program directly (argv, no shell) in a session of its own (<see cref="ChildProcess"/>), feeds it its
/// input, keeps a bounded amount of its output, and ends its whole process group when it runs out of time (on
/// <paramref name="timeProvider"/>), when the caller cancels, and when it exits: nothing it started outlives it.
/// </summary>
public sealed class ProcessCommandRunner(TimeProvider? timeProvider = null) : ICommandRunner
{
    /// <summary>Where a bare program name is looked up when the environment it gets has no PATH.</summary>
    public const string DefaultSearchPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>How long output is still awaited after the program exited: only a process that left its group holds the pipe longer.</summary>
    private static readonly TimeSpan DrainGrace = TimeSpan.FromSeconds(1);

    private const UnixFileMode AnyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    public async ValueTask<CommandResult> RunAsync(CommandRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var argv = request.Argv;
        if (argv is not { Count: > 0 } || string.IsNullOrEmpty(argv[0]))
            throw new ArgumentException("the command names no program", nameof(request));
        cancellationToken.ThrowIfCancellationRequested();

        var program = Resolve(argv[0], request.Environment);
        IEnumerable<KeyValuePair<string, string>> environment = request.Environment is { } given ? given : AgentEnvironment();
        ChildProcess child;
        try
        {
            child = ChildProcess.Start(program, argv, environment, request.WorkingDirectory, request.Input is not null);
        }
        catch (ArgumentException ex)
        {
            throw new CommandStartException(argv[0], ex.Message, ex);
        }

        using (child)
        {
            // Killed inside the caller's Cancel() (SIGTERM), not in a continuation that may never run once the agent exits.
            using var expiry = new CancellationTokenSource(request.Timeout, _time);
            using var onTimeout = expiry.Token.Register(child.Kill);
            using var onCancel = cancellationToken.Register(child.Kill);
            var output = new Capture(request.OutputLimitBytes);
            var error = new Capture(request.OutputLimitBytes);
            var io = Task.WhenAll(output.DrainAsync(child.StandardOutput), error.DrainAsync(child.StandardError), WriteAsync(child.StandardInput, request.Input));

            var exitCode = await child.Exited;
            await io.WaitAsync(DrainGrace, _time, CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (child.Killed)
            {
                cancellationToken.ThrowIfCancellationRequested();
                throw new CommandTimeoutException($"{argv[0]} did not finish within {request.Timeout.TotalSeconds:0.#} s");
            }

            return new CommandResult(exitCode, output.Text, error.Text, output.Truncated || error.Truncated);
        }
    }

    /// <summary>A name with a slash is used as it is; a bare name is looked up in the PATH the program gets, as execvp does.</summary>
    private static string Resolve(string program, IReadOnlyDictionary<string, string>? environment)
    {
        if (program.Contains('/', StringComparison.Ordinal))
            return program;
        var path = environment is null ? Environment.GetEnvironmentVariable("PATH") : environment.GetValueOrDefault("PATH");
        foreach (var directory in (string.IsNullOrEmpty(path) ? DefaultSearchPath : path).Split(':'))
        {
            var candidate = Path.Combine(directory.Length == 0 ? "." : directory, program);
            if (File.Exists(candidate) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(candidate) & AnyExecute) != 0))
                return candidate;
        }

        throw new CommandStartException(program, "not found in PATH");
    }

    private static List<KeyValuePair<string, string>> AgentEnvironment()
    {
        var environment = new List<KeyValuePair<string, string>>();
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
            environment.Add(new((string)entry.Key, (string?)entry.Value ?? ""));
        return environment;
    }

    private static async Task WriteAsync(Stream? stdin, ReadOnlyMemory<byte>? input)
    {
        if (stdin is null)
            return;
        try
        {
            await stdin.WriteAsync(input ?? default);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The program does not read its stdin (it exited, or closed it): that is its business.
        }
        finally
        {
            try
            {
                await stdin.DisposeAsync();
            }
            catch (IOException)
            {
                // Same: a closed pipe.
            }
        }
    }

    /// <summary>One output stream: read to its end, the first <c>limit</c> bytes kept.</summary>
    private sealed class Capture(int limit)
    {
        private readonly ArrayBufferWriter<byte> _kept = new();
        private bool _truncated;

        public bool Truncated
        {
            get
            {
                lock (_kept)
                    return _truncated;
            }
        }

        /// <summary>What was kept so far: a process that left the group may still hold the pipe when this is read.</summary>
        public string Text
        {
            get
            {
                lock (_kept)
                    return Encoding.UTF8.GetString(_kept.WrittenSpan);
            }
        }

        public async Task DrainAsync(Stream stream)
        {
            var buffer = new byte[16 * 1024];
            try
            {
                int read;
                while ((read = await stream.ReadAsync(buffer)) > 0)
                {
                    lock (_kept)
                    {
                        var room = Math.Max(0, limit - _kept.WrittenCount);
                        _truncated |= read > room;
                        _kept.Write(buffer.AsSpan(0, Math.Min(read, room)));
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                // The pipe was closed under us after the grace period: what was kept is the output.
            }
        }
    }
}
