namespace Rebound.Cli.Service;

/// <summary>syslog(3) priorities as journald reads them from a "&lt;N&gt;" line prefix (sd-daemon(3)).</summary>
internal enum LogPriority
{
    Error = 3,
    Warning = 4,
    Info = 6,
    Debug = 7,
}

/// <summary>
/// Diagnostics for stderr: one line per message, prefixed with its priority (<c>&lt;3&gt;</c> error,
/// <c>&lt;4&gt;</c> warning, <c>&lt;6&gt;</c> info, <c>&lt;7&gt;</c> debug) when stderr is the journal, so
/// <c>journalctl -p warning -u rebound</c> works; plain text on a terminal or in a file.
/// </summary>
internal sealed class ServiceLog
{
    private readonly TextWriter _stderr;
    private readonly Lock _gate = new();

    public ServiceLog(TextWriter stderr, bool toJournal)
    {
        _stderr = stderr;
        ToJournal = toJournal;
    }

    /// <summary>For the real stderr: journal prefixes exactly when it is connected to the journal.</summary>
    public static ServiceLog ForStderr(TextWriter stderr) => new(stderr, JournalStream.IsStderrJournal());

    public bool ToJournal { get; }

    public void Error(string message) => Write(LogPriority.Error, $"rebound: error: {message}");

    public void Warning(string message) => Write(LogPriority.Warning, $"rebound: warning: {message}");

    public void Info(string message) => Write(LogPriority.Info, $"rebound: {message}");

    public void Debug(string message) => Write(LogPriority.Debug, $"rebound: debug: {message}");

    /// <summary>
    /// Writes <paramref name="line"/> as one line (embedded line breaks become spaces, so a message can
    /// neither split into entries nor forge a prefix). A closed stderr is ignored: the exit code still tells.
    /// </summary>
    public void Write(LogPriority priority, string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var text = line.ReplaceLineEndings(" ");
        if (ToJournal)
        {
            text = $"<{(int)priority}>{text}";
        }

        lock (_gate)
        {
            try
            {
                _stderr.WriteLine(text);
                _stderr.Flush();
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or UnauthorizedAccessException)
            {
            }
        }
    }
}
