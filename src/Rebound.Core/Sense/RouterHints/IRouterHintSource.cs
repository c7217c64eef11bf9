using System.Threading.Channels;

namespace Rebound.Sense.RouterHints;

/// <summary>A source of gateway announcements that should make the watcher probe at once.</summary>
public interface IRouterHintSource : IAsyncDisposable
{
    ChannelReader<RouterHint> Hints { get; }

    /// <summary>Starts listening. Returns false (and stays silent) when the source cannot be opened, e.g. the port is taken.</summary>
    bool Start(Func<IReadOnlyCollection<System.Net.IPAddress>> trustedGateways, out string? problem);
}
