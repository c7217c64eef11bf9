using Rebound.Sense.Netlink;
using Rebound.Transport.Netlink;

namespace Rebound.Tests.Sense.Netlink;

/// <summary>
/// In-memory kernel: answers dump requests from <see cref="Tables"/> and delivers injected notifications,
/// overflows and failures in order. <see cref="WaitIdleAsync"/> completes once the reader has consumed
/// everything and is waiting again, i.e. the monitor has fully processed what was injected.
/// </summary>
internal sealed class FakeNetlinkTransport : INetlinkTransport
{
    private readonly Lock _gate = new();
    private readonly Queue<object> _inbox = new();
    private TaskCompletionSource<object>? _pendingReceive;
    private TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private uint _sequence;

    public uint PortId => 4242;

    public uint NextSequence() => ++_sequence;

    /// <summary>What a dump of each RTM_GET* type returns (messages as notifications; seq/pid are rewritten).</summary>
    public Dictionary<ushort, List<byte[]>> Tables { get; } = new()
    {
        [NetlinkConstants.RtmGetLink] = [],
        [NetlinkConstants.RtmGetAddr] = [],
        [NetlinkConstants.RtmGetRoute] = [],
        [NetlinkConstants.RtmGetNeigh] = [],
    };

    public List<ushort> DumpRequests { get; } = [];

    /// <summary>Flags added to the first dump reply of the next dump only (e.g. NLM_F_DUMP_INTR).</summary>
    public ushort NextDumpExtraFlags { get; set; }

    /// <summary>Ignores the next dump request entirely, like a kernel that lost it.</summary>
    public bool SwallowNextDump { get; set; }

    /// <summary>Reports ENOBUFS right after the next dump request, as a kernel with a full queue does.</summary>
    public bool OverflowDuringNextDump { get; set; }

    /// <summary>Dump requests sent before the previous dump's NLMSG_DONE was read; a real kernel answers EBUSY.</summary>
    public int OverlappingDumpRequests { get; private set; }

    public bool Disposed { get; private set; }

    private byte[]? _pendingDone;

    public ValueTask SendAsync(ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        var span = request.Span;
        var type = (ushort)(span[4] | (span[5] << 8));
        var seq = BitConverter.ToUInt32(span[8..12]);
        DumpRequests.Add(type);
        if (SwallowNextDump)
        {
            SwallowNextDump = false;
            return ValueTask.CompletedTask;
        }

        if (_pendingDone is not null)
        {
            OverlappingDumpRequests++;
            Enqueue(NetlinkBytes.Error(16, seq, PortId, type));
            return ValueTask.CompletedTask;
        }

        if (OverflowDuringNextDump)
        {
            OverflowDuringNextDump = false;
            Enqueue(new NetlinkOverflowException());
        }

        var flags = NextDumpExtraFlags;
        NextDumpExtraFlags = 0;
        var replies = Tables[type].Select((m, i) => NetlinkBytes.AsDumpReply(m, seq, PortId, i == 0 ? flags : (ushort)0)).ToArray();
        // Reply in two datagrams, as the kernel does when a dump spans several recvmsg calls.
        Enqueue(NetlinkBytes.Concat(replies));
        _pendingDone = NetlinkBytes.Done(seq, PortId);
        Enqueue(_pendingDone);
        return ValueTask.CompletedTask;
    }

    public async ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        Task<object> next;
        lock (_gate)
        {
            if (_inbox.TryDequeue(out var queued))
            {
                next = Task.FromResult(queued);
            }
            else
            {
                _pendingReceive = new(TaskCreationOptions.RunContinuationsAsynchronously);
                next = _pendingReceive.Task;
                _idle.TrySetResult();
            }
        }

        var item = await next.WaitAsync(cancellationToken);
        if (item is Exception ex)
        {
            throw ex;
        }

        var bytes = (byte[])item;
        if (ReferenceEquals(bytes, _pendingDone))
        {
            _pendingDone = null;
        }

        bytes.CopyTo(buffer);
        return bytes.Length;
    }

    public void Inject(params byte[][] messages) => Enqueue(NetlinkBytes.Concat(messages));

    public void InjectOverflow() => Enqueue(new NetlinkOverflowException());

    public void InjectFailure() => Enqueue(new IOException("socket broke"));

    public Task WaitIdleAsync()
    {
        lock (_gate)
        {
            return _idle.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    public void Dispose() => Disposed = true;

    private void Enqueue(object item)
    {
        TaskCompletionSource<object>? waiter;
        lock (_gate)
        {
            if (_idle.Task.IsCompleted)
            {
                _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            waiter = _pendingReceive;
            _pendingReceive = null;
            if (waiter is null)
            {
                _inbox.Enqueue(item);
            }
        }

        waiter?.SetResult(item);
    }
}
