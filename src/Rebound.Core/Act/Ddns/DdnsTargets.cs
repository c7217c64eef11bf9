using Rebound.Act.Ddns.Engine;
using Rebound.Act.Ddns.Rfc2136;
using Rebound.Configuration;

namespace Rebound.Act.Ddns;

/// <summary>Turns validated <c>[[ddns]]</c> entries into engine targets, each built by its provider's definition.</summary>
public static class DdnsTargets
{
    /// <summary>
    /// Builds every target. A server name that does not resolve is the one failure left after validation; it is
    /// returned as a one-line problem, not thrown. The caller disposes <c>Owned</c> when the targets stop.
    /// </summary>
    public static async Task<(IReadOnlyList<DdnsTarget> Targets, IReadOnlyList<IDisposable> Owned, string? Problem)> CreateAsync(
        ReboundConfig config, TargetIdKey key, TimeProvider time, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(key);
        var targets = new List<DdnsTarget>();
        var owned = new List<IDisposable>();
        foreach (var entry in config.Ddns)
        {
            DdnsProviderParts parts;
            IDnsVerifier? verifier;
            try
            {
                parts = await entry.Provider.CreateAsync(entry.Settings, entry, time, ct);
                if (parts.Owned is { } disposable)
                    owned.Add(disposable);
                verifier = entry.VerifyServer is { } check ? await VerifierAsync(check, time, ct) : parts.Verifier;
            }
            catch (DdnsSetupException ex)
            {
                return ([], owned, $"{entry.Label}: {ex.Message}");
            }

            targets.Add(new DdnsTarget(TargetId(entry, key), entry.Provider.Name, entry.Names, parts.Updater)
            {
                FormerIds = [LegacyTargetId(entry)],
                Families = entry.Families,
                Verifier = verifier,
                MinInterval = entry.MinInterval,
                Refresh = entry.Refresh,
                DriftCheck = entry.DriftCheck,
            });
        }

        return (targets, owned, null);
    }

    /// <summary>
    /// The cache key of an entry: its provider's name and a short HMAC (under the installation's <paramref name="key"/>)
    /// of its <see cref="DdnsProviderDefinition.Identity"/>, which holds hashed credentials.
    /// </summary>
    internal static string TargetId(DdnsEntryConfig entry, TargetIdKey key)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(key);
        return $"{entry.Provider.Name}-{key.Mac(IdInput(entry))[..12]}";
    }

    /// <summary>
    /// The id versions before the key wrote (an unsalted hash: a published one allowed offline password guessing).
    /// Only ever compared with cache records on load, so that an upgrade sends nothing again; never shown.
    /// </summary>
    internal static string LegacyTargetId(DdnsEntryConfig entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return $"{entry.Provider.Name}-{DdnsProviderDefinition.Hash(IdInput(entry))[..12]}";
    }

    // A new ttl makes a new target, so the records are rewritten with it; only when set, so that ids made before the
    // key existed stay (rfc2136's identity has always held its TTL).
    private static string IdInput(DdnsEntryConfig entry) =>
        $"{entry.Provider.Name}|{entry.Provider.Identity(entry.Settings)}"
        + (entry.Ttl is { } ttl && entry.Provider is not Providers.Rfc2136.Rfc2136Definition ? $"|ttl={ttl}" : "");

    /// <summary>Queries only, without a key: the provider's credentials never reach this server.</summary>
    private static async Task<IDnsVerifier> VerifierAsync(HostPort server, TimeProvider time, CancellationToken ct)
    {
        var address = await DdnsProviderDefinition.ResolveAsync(server, ct)
            ?? throw new DdnsSetupException($"cannot resolve verify_server {server.Host}");
        return new AuthoritativeVerifier(new Rfc2136Client(new Rfc2136ClientOptions { Server = address }, time));
    }
}
