namespace Rebound.Act.WireGuard;

/// <summary>
/// Reads peer endpoints from a wg-quick file (<c>/etc/wireguard/wg0.conf</c>): in each <c>[Peer]</c> section, the
/// <c>PublicKey</c> and <c>Endpoint</c> lines. Nothing else is kept (the file also holds the private key).
/// </summary>
public static class WgQuickEndpoints
{
    /// <summary>Public key (base64) to <c>host:port</c> as written; peers without both lines are left out.</summary>
    public static IReadOnlyDictionary<string, string> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        string? key = null, endpoint = null;
        var inPeer = false;
        void Flush()
        {
            if (inPeer && key is not null && endpoint is not null)
                result[key] = endpoint;
            key = endpoint = null;
        }

        foreach (var raw in text.Split('\n'))
        {
            var line = raw;
            var comment = line.IndexOf('#', StringComparison.Ordinal);
            if (comment >= 0)
                line = line[..comment];
            line = line.Trim();
            if (line.StartsWith('['))
            {
                Flush();
                inPeer = line.Equals("[Peer]", StringComparison.OrdinalIgnoreCase);
                continue;
            }

            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (!inPeer || eq <= 0)
                continue;
            var name = line[..eq].Trim();
            var value = line[(eq + 1)..].Trim();
            if (name.Equals("PublicKey", StringComparison.OrdinalIgnoreCase) && WireGuardKeys.IsValidBase64Key(value))
                key = value;
            else if (name.Equals("Endpoint", StringComparison.OrdinalIgnoreCase) && value.Length > 0)
                endpoint = value;
        }

        Flush();
        return result;
    }

    /// <summary>Splits <c>host:port</c> / <c>[v6]:port</c> (the one host:port grammar); false when there is no valid port.</summary>
    public static bool TrySplit(string endpoint, out string host, out int port)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var ok = Configuration.HostPort.TryParse(endpoint, defaultPort: null, out var parsed, out _);
        (host, port) = ok ? (parsed!.Host, parsed.Port) : ("", 0);
        return ok;
    }
}
