using System.Threading.Channels;
using Rebound.Sense.Netlink;

namespace Rebound.Tests.Fakes;

internal sealed class FakeLocalNetworkMonitor : ILocalNetworkMonitor
{
    private readonly Channel<LocalNetworkChange> _changes = Channel.CreateUnbounded<LocalNetworkChange>();

    public LocalNetworkSnapshot Current { get; set; } = LocalNetworkSnapshot.Empty;

    public ChannelReader<LocalNetworkChange> Changes => _changes.Reader;

    public void Publish(params string[] differences) =>
        _changes.Writer.TryWrite(new LocalNetworkChange(Current, Current, differences));

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
