namespace Rebound.Lab.Tests.Harness;

/// <summary>The HTTP address echo (nginx, lab.sh http): "/" text, "/json", "/cdn-cgi/trace".</summary>
/// <param name="Http">http://203.0.113.80</param>
/// <param name="Https">https://203.0.113.80 (certificate for echo.home.test and the addresses, from <paramref name="CaFile"/>)</param>
/// <param name="CaFile">The lab CA: give it to a client as SSL_CERT_FILE (.NET on Linux and OpenSSL honour it) or curl --cacert.</param>
/// <param name="Http6">http://[2001:db8:f::80] in dual-stack labs.</param>
/// <param name="Https6">https://[2001:db8:f::80] in dual-stack labs.</param>
public sealed record HttpEcho(Uri Http, Uri Https, string CaFile, Uri? Http6, Uri? Https6);

/// <summary>PowerDNS (lab.sh pdns): zone pdns.test with LUA whoami records, and its HTTP API.</summary>
/// <param name="ApiUrl">http://203.0.113.54:8081 (the API is under /api/v1, header X-API-Key).</param>
/// <param name="ApiKeyFile">The API key, alone in a file (mode 0600).</param>
/// <param name="ServerId">"localhost".</param>
/// <param name="Zone">"pdns.test" (gw starts at WAN1's address; www is for "other records untouched").</param>
/// <param name="DnsAddress">203.0.113.54 (port 53).</param>
/// <param name="DnsAddress6">2001:db8:f::54 in dual-stack labs.</param>
public sealed record PowerDnsServer(Uri ApiUrl, string ApiKeyFile, string ServerId, string Zone, string DnsAddress, string? DnsAddress6)
{
    public string ApiKey => File.ReadAllText(ApiKeyFile).Trim();

    /// <summary>The DNS whoami name: A/AAAA/TXT answer the asking client's own address.</summary>
    public string WhoamiName => $"whoami.{Zone}";
}

/// <summary>OpenSMTPD (lab.sh smtp): plain SMTP on port 25 for any user @home.test, a maildir per user.</summary>
public sealed record SmtpServer(string Host, int Port, string Maildir, string Domain, string? Host6)
{
    /// <summary>The files of the mails delivered to <paramref name="user"/>, oldest first.</summary>
    public IReadOnlyList<string> Mails(string user)
    {
        var dir = Path.Combine(Maildir, user, "new");
        return Directory.Exists(dir)
            ? [.. new DirectoryInfo(dir).GetFiles().OrderBy(f => f.LastWriteTimeUtc).Select(f => f.FullName)]
            : [];
    }
}

/// <summary>What the gateway's miniupnpd tells a LAN client: NAT-PMP's external address and UPnP's GetExternalIPAddress.</summary>
public sealed record GatewayView(string? NatPmp, string? Upnp);

/// <summary>The servers a test can start in the lab (each stopped by the lab's "down").</summary>
public sealed partial class FailoverLab
{
    /// <summary>The lab CA's certificate file (made at "up").</summary>
    public string CaFile => $"/run/rebound-lab/{Id}/ca/ca.pem";

    public async Task<HttpEcho> StartHttpEchoAsync(CancellationToken cancellationToken = default)
    {
        LabEnvironment.RequireProgram("/usr/sbin/nginx", "nginx-light");
        var p = Pairs(await LabAsync(["http", Id], cancellationToken));
        return new HttpEcho(new Uri(p["url"]), new Uri(p["https"]), p["ca"], Optional(p, "url6"), Optional(p, "https6"));
    }

    public async Task<PowerDnsServer> StartPowerDnsAsync(CancellationToken cancellationToken = default)
    {
        LabEnvironment.RequireProgram("/usr/sbin/pdns_server", "pdns-server");
        var p = Pairs(await LabAsync(["pdns", Id], cancellationToken));
        return new PowerDnsServer(new Uri(p["url"]), p["key_file"], p["server_id"], p["zone"], p["dns"], p.GetValueOrDefault("dns6"));
    }

    public async Task<SmtpServer> StartSmtpAsync(CancellationToken cancellationToken = default)
    {
        LabEnvironment.RequireProgram("/usr/sbin/smtpd", "opensmtpd");
        var p = Pairs(await LabAsync(["smtp", Id], cancellationToken));
        return new SmtpServer(p["host"], int.Parse(p["port"], System.Globalization.CultureInfo.InvariantCulture), p["maildir"], p["domain"], p.GetValueOrDefault("host6"));
    }

    /// <summary>Starts miniupnpd on the router (follows the uplink on failover/failback); returns its UPnP description URL.</summary>
    public async Task<Uri> StartMiniupnpdAsync(CancellationToken cancellationToken = default)
    {
        LabEnvironment.RequireProgram("/usr/sbin/miniupnpd", "miniupnpd-nftables");
        LabEnvironment.RequireProgram("/usr/bin/natpmpc", "natpmpc");
        LabEnvironment.RequireProgram("/usr/bin/upnpc", "miniupnpc");
        return new Uri(Pairs(await LabAsync(["upnp", Id], cancellationToken))["upnp"]);
    }

    /// <summary>Asks the gateway from the LAN host (natpmpc, upnpc); null where it gave no address.</summary>
    public async Task<GatewayView> GatewayExternalAddressAsync(CancellationToken cancellationToken = default)
    {
        var p = Pairs(await LabAsync(["upnp", Id, "external"], cancellationToken));
        return new GatewayView(Optional(p["natpmp"]), Optional(p["upnp"]));
    }

    /// <summary>Issues a server certificate from the lab CA for DNS names and/or IP addresses; returns (certificate, key) files.</summary>
    public async Task<(string CertificateFile, string KeyFile)> IssueCertificateAsync(string[] names, CancellationToken cancellationToken = default)
    {
        var p = Pairs(await LabAsync(["cert", Id, .. names], cancellationToken));
        return (p["cert"], p["key"]);
    }

    /// <summary>GET <paramref name="url"/> from the LAN host (curl, trusting the lab CA); the body, or null when it failed.</summary>
    public async Task<string?> HttpGetFromLanAsync(string url, CancellationToken cancellationToken = default)
    {
        var r = await ExecAsync("lan", ["curl", "-sS", "--fail", "--max-time", "3", "--cacert", CaFile, url], cancellationToken);
        return r.ExitCode == 0 ? r.Stdout : null;
    }

    /// <summary>Asks <paramref name="server"/> from the LAN host (dig +short); the answers, one per line.</summary>
    public async Task<string> DigFromLanAsync(string server, string name, string type, CancellationToken cancellationToken = default)
    {
        var r = await ExecAsync("lan", ["dig", "+short", "+time=1", "+tries=2", $"@{server}", name, type], cancellationToken);
        return r.ExitCode == 0 ? r.Stdout.Trim() : "";
    }

    /// <summary>Parses lab.sh's one-line "key value key value ..." answers.</summary>
    internal static Dictionary<string, string> Pairs(CommandResult r)
    {
        var words = r.Stdout.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length % 2 != 0)
        {
            throw new FormatException($"not key/value pairs: {r.Stdout}");
        }

        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < words.Length; i += 2)
        {
            pairs[words[i]] = words[i + 1];
        }

        return pairs;
    }

    private static Uri? Optional(Dictionary<string, string> pairs, string key) =>
        pairs.TryGetValue(key, out var url) ? new Uri(url) : null;

    private static string? Optional(string address) => address == "none" ? null : address;
}
