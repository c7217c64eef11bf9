using Rebound.Transport.Netlink;

namespace Rebound.Lab.Tests.Netlink;

/// <summary>Wraps a real socket and can stop the monitor from reading, so the kernel queue fills up for real.</summary>
internal sealed class GatedTransport(INetlinkTransport inner) : INetlinkTransport
{
    private volatile TaskCompletionSource _open = OpenGate();
    private int _overflows;

    public uint PortId => inner.PortId;

    public uint NextSequence() => inner.NextSequence();

    public int Overflows => Volatile.Read(ref _overflows);

    public int Receives { get; private set; }

    public Exception? LastError { get; private set; }

    public void Close() => _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Open() => _open.TrySetResult();

    public ValueTask SendAsync(ReadOnlyMemory<byte> request, CancellationToken cancellationToken) => inner.SendAsync(request, cancellationToken);

    public async ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        await _open.Task.WaitAsync(cancellationToken);
        try
        {
            Receives++;
            return await inner.ReceiveAsync(buffer, cancellationToken);
        }
        catch (NetlinkOverflowException)
        {
            Interlocked.Increment(ref _overflows);
            throw;
        }
        catch (Exception ex)
        {
            LastError = ex;
            throw;
        }
    }

    public void Dispose() => inner.Dispose();

    private static TaskCompletionSource OpenGate()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gate.SetResult();
        return gate;
    }
}
