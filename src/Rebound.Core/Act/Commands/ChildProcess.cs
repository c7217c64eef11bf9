using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using static Rebound.Act.Commands.SpawnNative;

namespace Rebound.Act.Commands;

/// <summary>
/// A program started with posix_spawn in a session of its own, so that it and everything it starts form one process
/// group that <see cref="Kill"/> ends at once. When the program itself exits, whatever it left running in its group
/// (a hook's <c>sleep 300 &amp;</c>) is killed too, before the program is reaped: until then its pid, which is the
/// group's id, cannot be given to another process. A process that starts a session of its own (setsid) escapes.
/// </summary>
internal sealed unsafe class ChildProcess : IDisposable
{
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _exitSeen;

    private ChildProcess(int id, Stream? standardInput, Stream standardOutput, Stream standardError)
    {
        Id = id;
        StandardInput = standardInput;
        StandardOutput = standardOutput;
        StandardError = standardError;
        // waitid blocks, so it gets a thread of its own; the thread ends when the program does.
        new Thread(WaitForExit, maxStackSize: 256 * 1024) { IsBackground = true, Name = "child-wait" }.Start();
    }

    public int Id { get; }

    /// <summary>The write end of the program's stdin; null when its stdin is /dev/null.</summary>
    public Stream? StandardInput { get; }

    public Stream StandardOutput { get; }

    public Stream StandardError { get; }

    /// <summary>The exit code; 128 + the signal number when a signal ended it; -1 when its status was lost.</summary>
    public Task<int> Exited => _exited.Task;

    /// <summary>True when <see cref="Kill"/> ended the program (rather than the program exiting by itself).</summary>
    public bool Killed { get; private set; }

    /// <summary>Starts <paramref name="path"/> with <paramref name="argv"/> and exactly <paramref name="environment"/>.</summary>
    /// <exception cref="CommandStartException">The program could not be started.</exception>
    public static ChildProcess Start(string path, IReadOnlyList<string> argv, IEnumerable<KeyValuePair<string, string>> environment, string? workingDirectory, bool redirectInput)
    {
        // [parent end, child end] per stream; -1 when not open.
        var fds = stackalloc int[6] { -1, -1, -1, -1, -1, -1 };
        var actions = NativeMemory.AllocZeroed(OpaqueBytes);
        var attributes = NativeMemory.AllocZeroed(OpaqueBytes);
        var strings = new List<nint>();
        try
        {
            if (redirectInput)
                OpenPipe(fds, 0, parentReads: false, argv[0]);
            OpenPipe(fds, 2, parentReads: true, argv[0]);
            OpenPipe(fds, 4, parentReads: true, argv[0]);

            _ = ActionsInit(actions);
            _ = AttrInit(attributes);
            try
            {
                if (redirectInput)
                    _ = ActionsAddDup2(actions, fds[1], 0);
                else
                    _ = ActionsAddOpen(actions, 0, Utf8(strings, "/dev/null"), ORdOnly, 0);
                _ = ActionsAddDup2(actions, fds[3], 1);
                _ = ActionsAddDup2(actions, fds[5], 2);
                if (workingDirectory is not null)
                    _ = ActionsAddChdir(actions, Utf8(strings, workingDirectory));

                // The runtime ignores SIGPIPE and may block signals on this thread; the program must start clean.
                var signals = stackalloc byte[SigSetBytes];
                _ = SigEmptySet(signals);
                _ = AttrSetSigMask(attributes, signals);
                _ = SigFillSet(signals);
                _ = AttrSetSigDefault(attributes, signals);
                _ = AttrSetFlags(attributes, PosixSpawnSetSid | PosixSpawnSetSigMask | PosixSpawnSetSigDef);

                var argvBlock = Utf8Array(strings, argv);
                var envBlock = Utf8Array(strings, [.. environment.Select(e => $"{e.Key}={e.Value}")]);
                var error = PosixSpawn(out var pid, Utf8(strings, path), actions, attributes, argvBlock, envBlock);
                if (error != 0)
                    throw new CommandStartException(argv[0], Marshal.GetPInvokeErrorMessage(error));

                CloseChildEnds(fds);
                var child = new ChildProcess(
                    pid,
                    redirectInput ? Wrap(fds, 0, FileAccess.Write) : null,
                    Wrap(fds, 2, FileAccess.Read),
                    Wrap(fds, 4, FileAccess.Read));
                return child;
            }
            finally
            {
                _ = ActionsDestroy(actions);
                _ = AttrDestroy(attributes);
            }
        }
        finally
        {
            for (var i = 0; i < 6; i++)
            {
                if (fds[i] >= 0)
                    _ = Close(fds[i]);
            }

            foreach (var s in strings)
                NativeMemory.Free((void*)s);
            NativeMemory.Free(actions);
            NativeMemory.Free(attributes);
        }
    }

    /// <summary>
    /// SIGKILL to the program's whole process group, at once (before this returns), unless the program has already
    /// exited: then its leftovers are being killed anyway, and its group id may soon belong to someone else.
    /// </summary>
    public void Kill()
    {
        lock (_gate)
        {
            if (_exitSeen)
                return;
            Killed = true;
            _ = SpawnNative.Kill(-Id, SigKill);
        }
    }

    public void Dispose()
    {
        Kill();
        StandardInput?.Dispose();
        StandardOutput.Dispose();
        StandardError.Dispose();
    }

    private void WaitForExit()
    {
        var info = stackalloc byte[OpaqueBytes];
        while (WaitId(PPid, Id, info, WExited | WNoWait) != 0)
        {
            if (Marshal.GetLastPInvokeError() == Eintr)
                continue;
            // ECHILD: someone else reaped it (the runtime reaps every child when the agent was started with SIGCHLD ignored).
            lock (_gate)
                _exitSeen = true;
            _exited.TrySetResult(-1);
            return;
        }

        int status = 0;
        lock (_gate)
        {
            _exitSeen = true;
            // Still a zombie, so the group id is still ours: end whatever the program left running.
            _ = SpawnNative.Kill(-Id, SigKill);
            while (WaitPid(Id, &status, 0) < 0 && Marshal.GetLastPInvokeError() == Eintr)
            {
            }
        }

        _exited.TrySetResult((status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f));
    }

    private static void OpenPipe(int* fds, int at, bool parentReads, string program)
    {
        var pipe = stackalloc int[2];
        if (Pipe2(pipe, OCloexec) != 0)
            throw new CommandStartException(program, Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError()));
        // pipe[0] is the read end.
        fds[at] = parentReads ? pipe[0] : pipe[1];
        fds[at + 1] = parentReads ? pipe[1] : pipe[0];
    }

    private static void CloseChildEnds(int* fds)
    {
        for (var i = 1; i < 6; i += 2)
        {
            if (fds[i] >= 0)
                _ = Close(fds[i]);
            fds[i] = -1;
        }
    }

    private static FileStream Wrap(int* fds, int at, FileAccess access)
    {
        var handle = new SafeFileHandle(fds[at], ownsHandle: true);
        fds[at] = -1; // the handle owns it now
        return new FileStream(handle, access, bufferSize: 0);
    }

    private static byte* Utf8(List<nint> strings, string text)
    {
        if (text.Contains('\0', StringComparison.Ordinal))
            throw new ArgumentException("an argument or environment entry contains a NUL character");
        var length = Encoding.UTF8.GetByteCount(text);
        var bytes = (byte*)NativeMemory.Alloc((nuint)length + 1);
        strings.Add((nint)bytes);
        Encoding.UTF8.GetBytes(text, new Span<byte>(bytes, length));
        bytes[length] = 0;
        return bytes;
    }

    private static byte** Utf8Array(List<nint> strings, IReadOnlyList<string> texts)
    {
        var array = (byte**)NativeMemory.Alloc((nuint)(texts.Count + 1), (nuint)sizeof(byte*));
        strings.Add((nint)array);
        for (var i = 0; i < texts.Count; i++)
            array[i] = Utf8(strings, texts[i]);
        array[texts.Count] = null;
        return array;
    }
}
