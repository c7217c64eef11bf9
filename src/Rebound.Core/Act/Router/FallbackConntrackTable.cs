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

    /// <summary>The primary's entries; null (match by address, through the fallback) when the primary cannot list them.</summary>
    public async ValueTask<IReadOnlyList<ConntrackEntry>?> TryListAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await primary.TryListAsync(cancellationToken);
        }
        catch (ConntrackException)
        {
            return null;
        }
    }

    /// <summary>Only the primary listed them, so only the primary deletes them.</summary>
    public ValueTask<int> DeleteEntriesAsync(IReadOnlyCollection<ConntrackEntry> entries, CancellationToken cancellationToken) =>
        primary.DeleteEntriesAsync(entries, cancellationToken);
}
