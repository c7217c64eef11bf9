namespace Rebound.Act.Remedies;

/// <summary>
/// Looks after one target's hop between heals: the first time, finds what an earlier run left (its rule still hops new
/// flows, so it gets the same keep time from now); releases the rule once <paramref name="keep"/> has passed since the
/// hop (healed flows keep their translation); and lets the hopper delete the table once no healed flow is left.
/// </summary>
public sealed class HopKeeper(IPortHopper hopper, TimeProvider timeProvider, TimeSpan keep)
{
    private bool _inspected;
    private DateTimeOffset? _hoppedAt;

    /// <summary>A hop of this target still changes new flows.</summary>
    public bool Active => _hoppedAt is not null;

    public void NoteHop()
    {
        _hoppedAt = timeProvider.GetUtcNow();
        _inspected = true;
    }

    /// <summary>One tidy pass for <paramref name="ports"/>; what it did goes into <paramref name="evidence"/>.</summary>
    public async ValueTask TidyAsync(IReadOnlyCollection<int> ports, List<string> evidence, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ports);
        ArgumentNullException.ThrowIfNull(evidence);
        try
        {
            if (!_inspected)
            {
                _inspected = true;
                var state = await hopper.InspectAsync(cancellationToken).ConfigureAwait(false);
                if (state.Present)
                {
                    evidence.Add($"found table inet rebound_hop from an earlier run: {state}");
                    if (_hoppedAt is null && ports.Any(state.Active.Contains))
                        _hoppedAt = timeProvider.GetUtcNow();
                }
            }

            if (_hoppedAt is { } at && timeProvider.GetUtcNow() - at >= keep && ports.Count > 0)
            {
                evidence.Add(await hopper.ReleaseAsync(ports, cancellationToken).ConfigureAwait(false));
                _hoppedAt = null;
            }

            if (_hoppedAt is null && await hopper.CleanupAsync(cancellationToken).ConfigureAwait(false) is { } cleaned)
                evidence.Add(cleaned);
        }
        catch (Exception ex) when (ex is HopPortException or NftMissingException)
        {
            evidence.Add($"hop table not tidied: {ex.Message}");
        }
    }
}
