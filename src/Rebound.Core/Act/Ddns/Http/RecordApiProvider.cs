using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Rebound.Act.Ddns.Engine;

namespace Rebound.Act.Ddns.Http;

/// <summary>One record of a name and type as a provider's API holds it.</summary>
/// <param name="Id">The API's id of the record, when it has one per record.</param>
/// <param name="Content">The address as the API wrote it.</param>
/// <param name="Ttl">Its TTL, kept when the record is rewritten.</param>
internal sealed record ApiRecord(string? Id, string Content, int? Ttl);

/// <summary>
/// A provider whose API can read the records of a domain: every update reads the name's records of that type first
/// (an address already held is <c>Unchanged</c> and nothing is written; a record changed behind the agent's back is
/// seen and corrected), then updates the one record, or creates it when there is none. Several records of the name
/// and type are refused (which to change would be a guess) unless the API writes them as one set. It is also the
/// entry's verifier: the engine reads the record back after a send and on its drift schedule.
/// </summary>
public abstract class RecordApiProvider<TOptions> : HttpDdnsProvider<TOptions>, IDnsVerifier
    where TOptions : DdnsApiOptions
{
    private protected RecordApiProvider(TOptions options, HttpClient? httpClient, TimeProvider? timeProvider)
        : base(options, httpClient, timeProvider)
    {
        Domain = options.Domain.TrimEnd('.').ToLowerInvariant();
    }

    /// <summary>The domain, lower case, without a trailing dot.</summary>
    private protected string Domain { get; }

    /// <summary>The provider as messages name it.</summary>
    private protected abstract string Label { get; }

    /// <summary>The credential in messages, e.g. "API token".</summary>
    private protected abstract string Credential { get; }

    /// <summary>How the API names the apex relative to the domain.</summary>
    private protected virtual string Apex => "@";

    /// <summary>A write replaces every record of the name and type at once, so several held records are not ambiguous.</summary>
    private protected virtual bool WritesRecordSet => false;

    /// <summary>Whether a record holding the address under another TTL than the entry's is written again (false: the TTL waits for the next address change).</summary>
    private protected virtual bool RewritesForTtl => true;

    /// <summary>The records of the name and type (empty: none), or the outcome that ends this update.</summary>
    private protected abstract Task<(IReadOnlyList<ApiRecord> Held, DdnsUpdateResult? Failure)> ReadAsync(
        DdnsRecordUpdate update, string relative, CancellationToken cancellationToken);

    /// <summary>Writes the address (updating <paramref name="held"/>'s one record, or creating one); null when accepted.</summary>
    private protected abstract Task<DdnsUpdateResult?> WriteAsync(
        DdnsRecordUpdate update, string relative, IReadOnlyList<ApiRecord> held, CancellationToken cancellationToken);

    /// <summary>Adds the credentials to a request.</summary>
    private protected abstract void Authorize(HttpRequestMessage request);

    private protected override async Task<DdnsUpdateResult> UpdateRecordAsync(DdnsRecordUpdate update, CancellationToken cancellationToken)
    {
        var name = update.Name;
        if (DdnsZoneNames.Relative(name, Domain, Apex) is not { } relative)
            return DdnsUpdateResult.Fatal($"{name}: not inside the configured domain {Domain}");

        var (held, failure) = await ReadAsync(update, relative, cancellationToken);
        if (failure is not null)
            return failure;
        if (held.Count > 1 && !WritesRecordSet)
            return DdnsUpdateResult.Fatal($"{name}: {held.Count} {update.RecordType} records of that name; refusing to guess which to change");
        if (Holds(held, update) && (Options.Ttl is null || !RewritesForTtl || held[0].Ttl is null || held[0].Ttl == Options.Ttl))
            return DdnsUpdateResult.Unchanged($"{name} {update.RecordType} already {update.AddressText}");

        if (await WriteAsync(update, relative, held, cancellationToken) is { } writeFailure)
            return writeFailure;
        var was = held.Count == 0 ? "none" : string.Join(",", held.Select(r => r.Content));
        return DdnsUpdateResult.Updated($"{name} {update.RecordType} set to {update.AddressText} (held {Sanitise(was, 60)})");
    }

    /// <summary>Whether the API, read now, holds exactly <paramref name="address"/> for the name; false when it cannot be read.</summary>
    public async Task<bool> ServesAsync(string name, IPAddress address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        var update = new DdnsRecordUpdate(name, address);
        if (DdnsZoneNames.Relative(update.Name, Domain, Apex) is not { } relative)
            return false;
        var (held, failure) = await ReadAsync(update, relative, cancellationToken);
        return failure is null && Holds(held, update);
    }

    /// <summary>The TTL to write: the entry's, else the held record's, else <paramref name="fallback"/>.</summary>
    private protected int TtlFor(IReadOnlyList<ApiRecord> held, int fallback) =>
        Options.Ttl ?? held.Select(r => r.Ttl).FirstOrDefault(t => t is not null) ?? fallback;

    private static bool Holds(IReadOnlyList<ApiRecord> held, DdnsRecordUpdate update) =>
        held is [var only] && IPAddress.TryParse(only.Content, out var current) && current.ToString() == update.AddressText;

    /// <summary>One request to <paramref name="path"/> under the API, with the credentials and, when given, a JSON body.</summary>
    private protected async Task<DdnsHttpReply> SendAsync(HttpMethod method, string path, JsonNode? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(Options.Api, path));
        request.Headers.TryAddWithoutValidation("Accept", "application/json");
        Authorize(request);
        if (body is not null)
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        return await SendAsync(request, cancellationToken);
    }

    /// <summary>
    /// The outcome of a reply that failed, or null when it succeeded: no answer, 429, 5xx and 3xx as every HTTP provider;
    /// 401/403 the credential refused; 404 not found; any other 4xx rejected. <paramref name="error"/> is the API's own
    /// error text (sanitised here).
    /// </summary>
    private protected DdnsUpdateResult? Failure(DdnsHttpReply reply, string name, string step, string? error)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var detail = string.IsNullOrWhiteSpace(error) ? "" : $": {Sanitise(error, 120)}";
        if (CommonOutcome(reply, $"{name}: {step}", detail) is { } common)
            return common;
        return reply.Code switch
        {
            401 or 403 => DdnsUpdateResult.Fatal($"{name}: {step}: {Label} refused the {Credential} (HTTP {reply.Code}){detail}"),
            404 => DdnsUpdateResult.Fatal($"{name}: {step}: not found at {Label} (HTTP 404){detail}"),
            >= 400 => DdnsUpdateResult.Fatal($"{name}: {step}: {Label} rejected the request (HTTP {reply.Code}){detail}"),
            _ => null,
        };
    }
}
