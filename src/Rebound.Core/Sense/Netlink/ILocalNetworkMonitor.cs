using System.Threading.Channels;

namespace Rebound.Sense.Netlink;

/// <summary>
/// Watches the host's own network (addresses, default routes, gateway MAC) and says when it changed.
/// Like Tailscale's netmon: it reports what changed, it does not decide what to do about it.
/// </summary>
public interface ILocalNetworkMonitor : IAsyncDisposable
{
    /// <summary>The latest snapshot; <see cref="LocalNetworkSnapshot.Empty"/> before <see cref="StartAsync"/>.</summary>
    LocalNetworkSnapshot Current { get; }

    /// <summary>One item per change of <see cref="LocalNetworkSnapshot.Fingerprint"/>; events that change nothing relevant are dropped.</summary>
    ChannelReader<LocalNetworkChange> Changes { get; }

    /// <summary>Opens the source, takes the initial full dump, and starts listening in the background.</summary>
    Task StartAsync(CancellationToken cancellationToken);
}
