namespace Rebound.Act.Ddns.Engine;

/// <summary>
/// Drives an HTTP <see cref="IDdnsProvider"/>: one call per record, in order, stopping at the first
/// failure (a provider that said "retry later" or "fatal" is not asked again in the same batch).
/// Combined: any Fatal → Fatal, else any RetryLater → RetryLater (longest delay), else Updated when
/// any record changed, else Unchanged.
/// </summary>
public sealed class HttpProviderUpdater(IDdnsProvider provider) : IDdnsPerRecordUpdater
{
    private readonly IDdnsProvider _provider = provider ?? throw new ArgumentNullException(nameof(provider));

    public async Task<DdnsUpdateResult> UpdateAsync(IReadOnlyList<DdnsRecordUpdate> updates, CancellationToken cancellationToken) =>
        Combine(await UpdateEachAsync(updates, cancellationToken));

    public async Task<IReadOnlyList<DdnsUpdateResult>> UpdateEachAsync(IReadOnlyList<DdnsRecordUpdate> updates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(updates);
        var results = new List<DdnsUpdateResult>(updates.Count);
        foreach (var update in updates)
        {
            var result = await _provider.UpdateAsync(update, cancellationToken).ConfigureAwait(false);
            results.Add(result);
            if (!result.Succeeded)
                break;
        }

        return results;
    }

    /// <summary>Any Fatal → Fatal, else any RetryLater → RetryLater(max), else Updated if any, else Unchanged.</summary>
    public static DdnsUpdateResult Combine(IReadOnlyList<DdnsUpdateResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        if (results.Count == 0)
            return DdnsUpdateResult.Unchanged("nothing to send");
        if (results.Count == 1)
            return results[0];
        if (results.FirstOrDefault(r => r.Outcome == DdnsOutcome.Fatal) is { } fatal)
            return fatal;
        var retries = results.Where(r => r.Outcome == DdnsOutcome.RetryLater).ToList();
        if (retries.Count > 0)
        {
            var longest = retries.MaxBy(r => r.RetryAfter)!;
            return DdnsUpdateResult.RetryLater(longest.RetryAfter, longest.Message);
        }

        var updated = results.Where(r => r.Outcome == DdnsOutcome.Updated).ToList();
        return updated.Count > 0
            ? DdnsUpdateResult.Updated(updated.Count == 1 ? updated[0].Message : $"{updated.Count} records updated; {updated[0].Message}")
            : DdnsUpdateResult.Unchanged(results[0].Message);
    }
}
