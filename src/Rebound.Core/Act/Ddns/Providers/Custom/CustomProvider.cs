using System.Text;
using System.Text.RegularExpressions;
using Rebound.Act.Ddns.Http;

namespace Rebound.Act.Ddns.Providers.Custom;

/// <summary>
/// One request per record, built from the templates: <c>{name}</c> the record's name, <c>{ip}</c> its address in an A
/// update, <c>{ip6}</c> in an AAAA update (the other is empty), <c>{secret}</c> the secret. In the URL every value is
/// URL-encoded; in headers and body it is inserted as it is. Success: a 2xx whose body matches <c>success</c> (when
/// given). 429, 5xx, no answer and redirects as for every provider; any other answer is fatal.
/// </summary>
public sealed class CustomProvider : HttpDdnsProvider<CustomOptions>
{
    public CustomProvider(CustomOptions options, HttpClient? httpClient = null, TimeProvider? timeProvider = null)
        : base(options, httpClient, timeProvider)
    {
    }

    private protected override async Task<DdnsUpdateResult> UpdateRecordAsync(DdnsRecordUpdate update, CancellationToken cancellationToken)
    {
        var name = update.Name;
        string Value(string placeholder) => placeholder switch
        {
            CustomTemplate.Name => name,
            CustomTemplate.Ip => update.RecordType == "A" ? update.AddressText : "",
            CustomTemplate.Ip6 => update.RecordType == "AAAA" ? update.AddressText : "",
            CustomTemplate.Secret => Options.Secret ?? "",
            _ => "",
        };

        if (!Uri.TryCreate(CustomTemplate.Fill(Options.Url, p => Uri.EscapeDataString(Value(p))), UriKind.Absolute, out var url))
            return DdnsUpdateResult.Fatal($"{name}: the url template does not give a URL for this record");
        using var request = new HttpRequestMessage(new HttpMethod(Options.Method), url);
        string? contentType = null;
        foreach (var (header, template) in Options.Headers)
        {
            var value = CustomTemplate.Fill(template, Value);
            if (value.Any(char.IsControl))
                return DdnsUpdateResult.Fatal($"{name}: header {header} would hold a control character");
            if (header.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
                contentType = value;
            else
                request.Headers.TryAddWithoutValidation(header, value);
        }
        if (Options.Body is { } body)
        {
            var text = CustomTemplate.Fill(body, Value);
            request.Content = new StringContent(text, Encoding.UTF8);
            request.Content.Headers.Remove("Content-Type");
            request.Content.Headers.TryAddWithoutValidation("Content-Type",
                contentType ?? (text.TrimStart().StartsWith('{') || text.TrimStart().StartsWith('[') ? "application/json" : "text/plain; charset=utf-8"));
        }

        var reply = await SendAsync(request, cancellationToken);
        var said = Sanitise(reply.Body, 80);
        var detail = said.Length > 0 ? $": {said}" : "";
        if (CommonOutcome(reply, name, detail) is { } common)
            return common;
        if (reply.Code is 401 or 403)
            return DdnsUpdateResult.Fatal($"{name}: the service refused the credentials (HTTP {reply.Code}){detail}");
        if (!reply.IsSuccessStatus)
            return DdnsUpdateResult.Fatal($"{name}: the service rejected the update (HTTP {reply.Code}){detail}");
        if (Options.Success is { } success && !Matches(success, reply.Body))
            return DdnsUpdateResult.Fatal($"{name}: the answer does not match success (HTTP {reply.Code}){detail}");
        return DdnsUpdateResult.Updated($"{name} {update.RecordType} sent {update.AddressText} (HTTP {reply.Code})");
    }

    private static bool Matches(Regex success, string body)
    {
        try
        {
            return success.IsMatch(body);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }
}
