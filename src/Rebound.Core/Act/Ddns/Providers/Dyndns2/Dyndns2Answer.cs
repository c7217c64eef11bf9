namespace Rebound.Act.Ddns.Providers.Dyndns2;

/// <summary>
/// Maps a dyndns2 return code (the exact first token of the answer line) to an outcome. The codes and
/// their meanings are the ones the Dyn "Perform Update" / "Return Codes" documentation defines, plus the
/// No-IP style <c>wNNN[smh]</c> "wait" answer.
/// </summary>
internal static class Dyndns2Answer
{
    public static readonly TimeSpan MinimumServerTroubleRetry = TimeSpan.FromMinutes(30);

    public static DdnsUpdateResult Map(string body, DdnsRecordUpdate update, Dyndns2Options options, IReadOnlyList<string> secrets)
    {
        // One line per hostname, in request order; we send exactly one hostname.
        var line = body.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
        var tokens = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var code = tokens.Length > 0 ? tokens[0] : "";
        var name = update.Name;

        switch (code)
        {
            case "good":
                // Dyn answers "good 127.0.0.1" to say it ignored a request from a client that breaks its rules.
                if (tokens.Length > 1 && tokens[1] == "127.0.0.1" && update.AddressText != "127.0.0.1")
                    return DdnsUpdateResult.Fatal($"{name}: provider ignored the update (good 127.0.0.1: client considered non-compliant)");
                return DdnsUpdateResult.Updated($"{name} {update.RecordType} set to {update.AddressText}");
            case "nochg":
                return DdnsUpdateResult.Unchanged($"{name} {update.RecordType} already {update.AddressText} (nochg)");
            case "badauth":
                return DdnsUpdateResult.Fatal($"{name}: username or password rejected (badauth)");
            case "!donator":
                return DdnsUpdateResult.Fatal($"{name}: the request uses a feature this account does not have (!donator)");
            case "notfqdn":
                return DdnsUpdateResult.Fatal($"{name}: not a fully qualified domain name the provider accepts (notfqdn)");
            case "nohost":
                return DdnsUpdateResult.Fatal($"{name}: hostname does not exist in this account (nohost)");
            case "numhost":
                return DdnsUpdateResult.Fatal($"{name}: too many hosts in one update, or a round-robin name (numhost)");
            case "abuse":
                return DdnsUpdateResult.Fatal($"{name}: hostname is blocked for update abuse (abuse)");
            case "badagent":
                return DdnsUpdateResult.Fatal($"{name}: provider rejected this client or request as malformed (badagent)");
            case "dnserr":
            case "911":
                var wait = options.ServerTroubleRetry < MinimumServerTroubleRetry ? MinimumServerTroubleRetry : options.ServerTroubleRetry;
                return DdnsUpdateResult.RetryLater(wait, $"{name}: provider-side problem ({code}), backing off");
        }

        if (TryParseWait(code, out var delay))
            return DdnsUpdateResult.RetryLater(delay, $"{name}: provider asks to wait {Configuration.ConfigDuration.Format(delay, roundUpToSeconds: true)} ({code})");

        var shown = DdnsText.Sanitise(code.Length > 0 ? code : line, secrets, 40);
        return DdnsUpdateResult.RetryLater(options.TransientRetry,
            shown.Length == 0 ? $"{name}: empty answer" : $"{name}: unexpected answer '{shown}'");
    }

    /// <summary>Parses <c>w</c> + digits + <c>s</c>, <c>m</c> or <c>h</c>, e.g. w90s, w5m, w1h.</summary>
    internal static bool TryParseWait(string token, out TimeSpan delay)
    {
        delay = TimeSpan.Zero;
        if (token.Length < 3 || token[0] != 'w')
            return false;
        var digits = token.AsSpan(1, token.Length - 2);
        foreach (char c in digits)
        {
            if (c is < '0' or > '9')
                return false;
        }
        if (digits.Length > 6 || !int.TryParse(digits, out int count) || count <= 0)
            return false;
        delay = token[^1] switch
        {
            's' => TimeSpan.FromSeconds(count),
            'm' => TimeSpan.FromMinutes(count),
            'h' => TimeSpan.FromHours(count),
            _ => TimeSpan.Zero,
        };
        return delay > TimeSpan.Zero;
    }
}
