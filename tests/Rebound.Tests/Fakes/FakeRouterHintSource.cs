using System.Net;
using System.Threading.Channels;
using Rebound.Sense.RouterHints;

namespace Rebound.Tests.Fakes;

internal sealed class FakeRouterHintSource : IRouterHintSource
{
    private readonly Channel<RouterHint> _hints = Channel.CreateUnbounded<RouterHint>();

    public ChannelReader<RouterHint> Hints => _hints.Reader;

    public void Announce(string external) =>
        _hints.Writer.TryWrite(new RouterHint("nat-pmp", IPAddress.Parse("10.77.0.1"), IPAddress.Parse(external), 42));

    public bool Start(Func<IReadOnlyCollection<IPAddress>> trustedGateways, out string? problem)
    {
        problem = null;
        return true;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
