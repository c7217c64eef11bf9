using System.Net;

namespace Rebound.Act.Router;

/// <summary>Uses <paramref name="primary"/> (ctnetlink) and, when it fails, <paramref name="fallback"/> (the conntrack tool).</summary>
public sealed class FallbackConntrackTable(IConntrackTable primary, IConntrackTable fallback) : IConntrackTable
{
    public string Via => primary.Via;

    public async ValueTask<int> CountTranslatedToAsync(IPAddress address, CancellationToken cancellationToken)
    {
        try
        {
            return await primary.CountTranslatedToAsync(address, cancellationToken);
        }
        catch (ConntrackException)
        {
            return await fallback.CountTranslatedToAsync(address, cancellationToken);
        }
    }

    public async ValueTask<IReadOnlyDictionary<IPAddress, int>> CountTranslatedToAsync(IReadOnlyCollection<IPAddress> addresses, CancellationToken cancellationToken)
    {
        try
        {
            return await primary.CountTranslatedToAsync(addresses, cancellationToken);
        }
        catch (ConntrackException)
        {
            return await fallback.CountTranslatedToAsync(addresses, cancellationToken);
        }
    }

    public async ValueTask<ConntrackFlushResult> DeleteTranslatedToAsync(IPAddress address, CancellationToken cancellationToken)
    {
        try
        {
            return await primary.DeleteTranslatedToAsync(address, cancellationToken);
        }
        catch (ConntrackException ex)
        {
            try
            {
                var result = await fallback.DeleteTranslatedToAsync(address, cancellationToken);
                return result with { Via = $"{fallback.Via} ({primary.Via} failed: {ex.Message})" };
            }
            catch (ConntrackException second)
            {
                throw new ConntrackException($"{primary.Via}: {ex.Message}; {fallback.Via}: {second.Message}", second);
            }
        }
    }
}
