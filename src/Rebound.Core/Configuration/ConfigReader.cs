using Rebound.Act.Ddns.Rfc2136;
using Rebound.Decide;
using Rebound.Sense;
using Tomlyn.Syntax;

namespace Rebound.Configuration;

/// <summary>Turns the <see cref="TomlTree"/> into typed records, collecting every problem on the way.</summary>
internal sealed partial class ConfigReader(string path, Func<string, string?> environment, UnixFileMode? configFileMode)
{
    private const UnixFileMode GroupOrOthersRead = UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const string HostNames = "a non-empty array of host names";

    private static readonly string[] TopKeys = ["watch", "state", "ddns", "heal", "hook", "journal", "http", "tailscale", "router", "wireguard"];
    private static readonly string[] WatchKeys = ["servers", "interval", "timeout", "confirm_servers", "confirm_rounds", "loss_rounds", "ipv6_interface"];
    private static readonly string[] StateKeys = ["directory"];
    private static readonly string[] CommonKeys = ["provider", "names", "families", "min_interval", "refresh", "verify_server"];
    private static readonly string[] Rfc2136Keys = ["server", "zone", "ttl", "key_file"];
    private static readonly string[] Dyndns2Keys = ["url", "username", "password", "password_file", "password_env"];
    private static readonly string[] CloudflareKeys = ["zone", "zone_id", "api", "token", "token_file", "token_env"];
    private static readonly string[] DuckDnsKeys = ["token", "token_file", "token_env"];
    private static readonly string[] DesecKeys = ["username", "token", "token_file", "token_env"];

    /// <summary>Words that may be quoted back from a TOML syntax error.</summary>
    public static readonly HashSet<string> KnownWords =
    [
        .. TopKeys, .. WatchKeys, .. StateKeys, .. CommonKeys, .. Rfc2136Keys, .. Dyndns2Keys, .. CloudflareKeys, .. DesecKeys,
        .. HealKeys, .. HookKeys,
        .. JournalKeys,
        .. HttpKeys,
        .. TailscaleKeys,
        .. RouterKeys,
        .. WireGuardConfigKeys,
        "newline", "Invalid", "end-of-line", "end-of-file", "=", "[", "]", "[[", "]]", "{", "}", ",",
    ];

    private readonly string _directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? "/";
    private readonly Dictionary<(IpFamily, string), (int Index, int Line)> _seenNames = [];

    /// <summary>Probe interval and timeout beyond a day are a mistake (and beyond what timers accept).</summary>
    private static readonly TimeSpan MaxWatchDuration = TimeSpan.FromHours(24);

    public List<ConfigProblem> Problems { get; } = [];

    public List<ConfigWarning> Warnings { get; } = [];

    public ReboundConfig Read(TomlTableNode root)
    {
        var top = new Section(this, root, "");
        var watch = top.SubTable("watch") is { } watchTable ? ReadWatch(new Section(this, watchTable, "watch")) : WatchConfig.Default;
        var state = top.SubTable("state") is { } stateTable ? ReadState(new Section(this, stateTable, "state")) : new StateConfig(DefaultStateDirectory());
        var journal = top.SubTable("journal") is { } journalTable ? ReadJournal(new Section(this, journalTable, "journal")) : JournalConfig.Default;
        var entries = new List<DdnsEntryConfig>();
        var ddns = top.Node("ddns");
        if (ddns is null)
        {
            // No DNS records to keep: the agent may still heal tunnels, run hooks and record.
        }
        else if (ddns is not TomlArrayNode { } array || array.Items.Any(item => item is not TomlTableNode))
        {
            Problem(ddns, "ddns", $"[[ddns]] tables, found {ddns.Describe()}");
        }
        else
        {
            for (int i = 0; i < array.Items.Count; i++)
            {
                if (ReadDdns(new Section(this, (TomlTableNode)array.Items[i], $"ddns[{i}]"), i) is { } entry)
                    entries.Add(entry);
            }
        }

        var heal = top.SubTable("heal") is { } healTable ? ReadHeal(new Section(this, healTable, "heal")) : HealConfig.Default;
        var hooks = ReadHooks(top);
        var http = ReadHttp(top.SubTable("http") is { } httpTable ? new Section(this, httpTable, "http") : null);
        var tailscale = ReadTailscale(top);
        var router = top.SubTable("router") is { } routerTable ? ReadRouter(new Section(this, routerTable, "router")) : null;
        var wireGuard = ReadWireGuardSection(top);
        top.RejectUnknown(TopKeys);
        return new ReboundConfig(watch, state, entries) { Heal = heal, Hooks = hooks, Journal = journal, Http = http, Tailscale = tailscale, Router = router, WireGuard = wireGuard };
    }

    private WatchConfig ReadWatch(Section s)
    {
        var defaults = WatchConfig.Default;
        IReadOnlyList<StunTarget> servers = defaults.Servers;
        if (s.Strings("servers", "a non-empty array of STUN servers like \"203.0.113.10:3478\"") is { } items)
        {
            var parsed = new List<StunTarget>();
            foreach (var (text, node) in items)
            {
                if (!StunTarget.TryParse(text, out var target, out var error))
                    Problem(node, "watch.servers", $"HOST, HOST:PORT or [IPV6]:PORT ({error})");
                else if (parsed.Any(p => string.Equals(p.Name, target!.Name, StringComparison.OrdinalIgnoreCase)))
                    Problem(node, "watch.servers", $"each server once (a server listed twice would confirm its own answer); {target!.Name} is listed twice");
                else
                    parsed.Add(target!);
            }

            servers = parsed;
        }

        var interval = s.Duration("interval", allowZero: false, max: MaxWatchDuration) ?? defaults.Interval;
        var timeout = s.Duration("timeout", allowZero: false, max: MaxWatchDuration) ?? defaults.ProbeTimeout;
        var confirmServers = (int?)s.Integer("confirm_servers", 1, 16) ?? defaults.ConfirmServers;
        var confirmRounds = (int?)s.Integer("confirm_rounds", 1, 100) ?? defaults.ConfirmRounds;
        var lossRounds = (int?)s.Integer("loss_rounds", 1, 100) ?? defaults.LossRounds;
        if (s.Node("confirm_servers") is { } confirmNode && confirmServers > servers.Count && servers.Count > 0)
            Problem(confirmNode, "watch.confirm_servers", $"at most the number of servers ({servers.Count})");
        var ipv6Interface = s.String("ipv6_interface", "the name of the interface whose global IPv6 address is the public one");
        if (ipv6Interface is { } iface && (iface.Length is 0 or > 15 || iface.Any(c => char.IsWhiteSpace(c) || c == '/')))
        {
            Problem(s.Node("ipv6_interface")!, s.Key("ipv6_interface"), $"an interface name (1-15 characters, no spaces or '/'), found {Clip(iface)}");
        }

        s.RejectUnknown(WatchKeys);
        return new WatchConfig(servers, interval, timeout, confirmServers, confirmRounds, lossRounds) { Ipv6Interface = ipv6Interface };
    }

    private StateConfig ReadState(Section s)
    {
        var directory = DefaultStateDirectory();
        if (s.String("directory", "an absolute directory path") is { } text)
        {
            if (Path.IsPathRooted(text))
                directory = text;
            else
                Problem(s.Node("directory")!, "state.directory", "an absolute directory path");
        }

        s.RejectUnknown(StateKeys);
        return new StateConfig(directory);
    }

    private string DefaultStateDirectory() => SystemdDirectories.State(environment);

    private DdnsEntryConfig? ReadDdns(Section s, int index)
    {
        var startProblems = Problems.Count;
        const string providers = "one of rfc2136, dyndns2, cloudflare, duckdns, desec";
        DdnsProviderKind? provider = null;
        if (s.String("provider", providers) is { } providerText)
        {
            if (DdnsProviders.TryParse(providerText, out var parsed))
                provider = parsed;
            else
                Problem(s.Node("provider")!, s.Key("provider"), $"{providers}, found {Clip(providerText)}");
        }
        else if (s.Node("provider") is null)
        {
            Problem(s.Table, s.Key("provider"), $"{providers} (missing)");
        }

        if (provider is null)
        {
            // Still check what does not depend on the provider, so one run shows every problem.
            ReadFamilies(s);
            s.Duration("min_interval", allowZero: true);
            s.Duration("refresh", allowZero: false);
            ReadNames(s, DdnsProviderKind.Desec);
            s.RejectUnknown([.. CommonKeys.Concat(Rfc2136Keys).Concat(Dyndns2Keys).Concat(CloudflareKeys).Distinct()]);
            return null;
        }

        var families = ReadFamilies(s);
        var minInterval = s.Duration("min_interval", allowZero: true)
            ?? (provider.Value == DdnsProviderKind.Desec ? DdnsEntryConfig.DesecMinInterval : TimeSpan.Zero);
        var refresh = s.Duration("refresh", allowZero: false) ?? DdnsEntryConfig.DefaultRefresh;
        var names = ReadNames(s, provider.Value);
        var verifyServer = ReadNameServer(s, "verify_server", "HOST or HOST:PORT of a name server authoritative for the names", required: false);

        int? ttl = null;
        Rfc2136Settings? rfc2136 = null;
        Dyndns2Settings? dyndns2 = null;
        CloudflareSettings? cloudflare = null;
        DuckDnsSettings? duckDns = null;
        DesecSettings? desec = null;
        string[] providerKeys;
        switch (provider)
        {
            case DdnsProviderKind.Rfc2136:
                providerKeys = Rfc2136Keys;
                ttl = (int?)s.Integer("ttl", 0, int.MaxValue) ?? DdnsEntryConfig.DefaultTtl;
                rfc2136 = ReadRfc2136(s, names);
                break;
            case DdnsProviderKind.Dyndns2:
                providerKeys = Dyndns2Keys;
                dyndns2 = ReadDyndns2(s);
                break;
            case DdnsProviderKind.Cloudflare:
                providerKeys = CloudflareKeys;
                cloudflare = ReadCloudflare(s, names);
                break;
            case DdnsProviderKind.DuckDns:
                providerKeys = DuckDnsKeys;
                duckDns = ReadSecret(s, "token", required: true) is { } duckToken ? new DuckDnsSettings(duckToken) : null;
                break;
            default:
                providerKeys = DesecKeys;
                var username = s.String("username", "a user name (default: the host name)");
                desec = ReadSecret(s, "token", required: true) is { } desecToken ? new DesecSettings(desecToken, username, minInterval) : null;
                break;
        }

        s.RejectUnknown([.. CommonKeys, .. providerKeys], DdnsProviders.Name(provider.Value));
        if (names is not null)
            CheckDuplicates(s, index, names, families);
        if (Problems.Count > startProblems || names is null)
            return null;

        return new DdnsEntryConfig(index, s.Table.Line, provider.Value, names, families, ttl, minInterval, refresh)
        {
            Rfc2136 = rfc2136,
            Dyndns2 = dyndns2,
            Cloudflare = cloudflare,
            DuckDns = duckDns,
            Desec = desec,
            VerifyServer = verifyServer,
        };
    }

    private List<IpFamily> ReadFamilies(Section s)
    {
        const string expected = "[\"ipv4\"], [\"ipv6\"] or [\"ipv4\", \"ipv6\"]";
        var families = new List<IpFamily>();
        if (s.Strings("families", expected) is not { } items)
            return s.Node("families") is null ? [IpFamily.Ipv4] : families;
        foreach (var (text, node) in items)
        {
            IpFamily? family = text switch { "ipv4" => IpFamily.Ipv4, "ipv6" => IpFamily.Ipv6, _ => null };
            if (family is null || families.Contains(family.Value))
                Problem(node, s.Key("families"), $"{expected}, found {Clip(text)}{(family is null ? "" : " twice")}");
            else
                families.Add(family.Value);
        }

        return families;
    }

    private List<string>? ReadNames(Section s, DdnsProviderKind provider)
    {
        var items = s.Strings("names", HostNames);
        if (items is null)
        {
            if (s.Node("names") is null)
                Problem(s.Table, s.Key("names"), $"{HostNames} (missing)");
            return null;
        }

        var names = new List<string>();
        bool ok = true;
        foreach (var (text, node) in items)
        {
            var name = text.Trim().TrimEnd('.').ToLowerInvariant();
            if (provider == DdnsProviderKind.DuckDns && !name.Contains('.', StringComparison.Ordinal))
                name += ".duckdns.org";
            if (!IsHostName(name))
            {
                Problem(node, s.Key("names"), $"host names like home.example.net, found {Clip(text)}");
                ok = false;
            }
            else if (provider == DdnsProviderKind.DuckDns && (!name.EndsWith(".duckdns.org", StringComparison.Ordinal) || name.Count(c => c == '.') != 2))
            {
                Problem(node, s.Key("names"), $"a DuckDNS name like \"myhome\" or \"myhome.duckdns.org\", found {Clip(text)}");
                ok = false;
            }
            else
            {
                names.Add(name);
            }
        }

        return ok ? names : null;
    }

    private void CheckDuplicates(Section s, int index, List<string> names, List<IpFamily> families)
    {
        var node = s.Node("names")!;
        foreach (var name in names)
        {
            foreach (var family in families)
            {
                if (_seenNames.TryGetValue((family, name), out var first))
                {
                    if (first.Index != index)
                        Problem(node, s.Key("names"), $"each name once per family; {name} ({family.ToName()}) is already in ddns[{first.Index}] (line {first.Line})");
                    else
                        Problem(node, s.Key("names"), $"each name once; {name} is listed twice");
                }
                else
                {
                    _seenNames[(family, name)] = (index, node.Line);
                }
            }
        }
    }

    /// <summary>A name server as HOST or HOST:PORT (port 53 by default).</summary>
    private HostPort? ReadNameServer(Section s, string key, string expected, bool required)
    {
        if (s.String(key, expected) is { } text)
        {
            if (StunTarget.TryParse(text, out var target, out var error))
                return new HostPort(target!.Host, HasPort(text.Trim()) ? target.Port : Rfc2136Settings.DefaultPort);
            Problem(s.Node(key)!, s.Key(key), $"{expected} ({error})");
        }
        else if (required && s.Node(key) is null)
        {
            Problem(s.Table, s.Key(key), $"{expected} (missing)");
        }

        return null;
    }

    private Rfc2136Settings? ReadRfc2136(Section s, List<string>? names)
    {
        var server = ReadNameServer(s, "server", "HOST or HOST:PORT of the primary name server", required: true);
        string? host = server?.Host;
        var port = server?.Port ?? Rfc2136Settings.DefaultPort;

        var zone = ReadZone(s, names);
        TsigKey? key = null;
        if (s.String("key_file", "the path of a key file written by tsig-keygen") is { } keyPath)
        {
            var keyNode = s.Node("key_file")!;
            if (ReadSecretFile(s, "key_file", keyNode, keyPath) is { } keyText)
            {
                if (!TsigKeyFile.TryParse(keyText, out var keys, out var error))
                    Problem(keyNode, s.Key("key_file"), $"a key clause as written by tsig-keygen in {keyPath} ({error})");
                else if (keys.Count != 1)
                    Problem(keyNode, s.Key("key_file"), $"exactly one key clause in {keyPath}, found {keys.Count}");
                else
                    key = keys[0];
            }
        }

        return host is null || zone is null ? null : new Rfc2136Settings(host, port, zone, key);
    }

    private DnsName? ReadZone(Section s, List<string>? names)
    {
        const string expected = "the zone name, e.g. \"example.com\"";
        var text = s.String("zone", expected);
        if (text is null)
        {
            if (s.Node("zone") is null)
                Problem(s.Table, s.Key("zone"), $"{expected} (missing)");
            return null;
        }

        var normalized = text.Trim().TrimEnd('.').ToLowerInvariant();
        if (!IsHostName(normalized) || !DnsName.TryParse(normalized, out var zone))
        {
            Problem(s.Node("zone")!, s.Key("zone"), $"{expected}, found {Clip(text)}");
            return null;
        }

        foreach (var name in names ?? [])
        {
            if (DnsName.TryParse(name, out var dnsName) && !dnsName.IsSubdomainOf(zone))
                Problem(s.Node("names")!, s.Key("names"), $"names inside zone {normalized}; {name} is not");
        }

        return zone;
    }

    private Dyndns2Settings? ReadDyndns2(Section s)
    {
        var url = ReadUrl(s, "url", required: true, null);
        var username = s.String("username", "the account's user name");
        if (username is null && s.Node("username") is null)
            Problem(s.Table, s.Key("username"), "the account's user name (missing)");
        var password = ReadSecret(s, "password", required: true);
        if (url is not null && url.Scheme == Uri.UriSchemeHttp)
            Warn(s.Node("url")!, s.Key("url"), "is plain http://; the password travels unencrypted");
        return url is null || string.IsNullOrEmpty(username) || password is null ? null : new Dyndns2Settings(url, username, password);
    }

    private CloudflareSettings? ReadCloudflare(Section s, List<string>? names)
    {
        var zone = ReadZone(s, names);
        var api = ReadUrl(s, "api", required: false, Act.Ddns.Http.CloudflareOptions.DefaultBaseUri);
        var zoneId = s.String("zone_id", "the zone's ID (32 hex digits)");
        var token = ReadSecret(s, "token", required: true);
        return zone is null || api is null || token is null ? null : new CloudflareSettings(zone.ToString().TrimEnd('.'), api, token, zoneId);
    }

    private Uri? ReadUrl(Section s, string key, bool required, Uri? fallback)
    {
        const string expected = "an http:// or https:// URL";
        var text = s.String(key, expected);
        if (text is null)
        {
            if (s.Node(key) is null && required)
                Problem(s.Table, s.Key(key), $"{expected} (missing)");
            return s.Node(key) is null ? fallback : null;
        }

        if (Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            && string.IsNullOrEmpty(uri.UserInfo))
        {
            return uri;
        }

        // A URL may carry credentials, so it is not quoted back.
        Problem(s.Node(key)!, s.Key(key), $"{expected} without user:password@");
        return null;
    }

    /// <summary>Reads <c>NAME</c>, <c>NAME_file</c> or <c>NAME_env</c>: exactly one of them.</summary>
    private Secret? ReadSecret(Section s, string name, bool required)
    {
        string[] keys = [name, name + "_file", name + "_env"];
        var present = keys.Where(k => s.Node(k) is not null).ToList();
        if (present.Count == 0)
        {
            if (required)
                Problem(s.Table, s.Key(name), $"one of {name}, {name}_file or {name}_env (missing)");
            return null;
        }

        if (present.Count > 1)
        {
            foreach (var extra in present.Skip(1))
                Problem(s.Node(extra)!, s.Key(extra), $"only one of {name}, {name}_file or {name}_env; {present[0]} is also set");
            foreach (var key in present)
                s.MarkUsed(key);
            return null;
        }

        var used = present[0];
        var node = s.Node(used)!;
        if (used == name)
        {
            // The value itself is never quoted back, whatever its type.
            if (s.String(used, "a non-empty string") is not { Length: > 0 } inline)
            {
                if (s.Node(used) is TomlValueNode { Syntax: StringValueSyntax })
                    Problem(node, s.Key(used), "a non-empty string");
                return null;
            }

            if (configFileMode is { } mode && (mode & GroupOrOthersRead) != 0)
            {
                Warn(node, s.Key(used),
                    $"is written in {path}, which is readable by group/others (mode {Octal(mode)}); chmod 600 it or use {name}_file");
            }

            return new Secret(inline, "inline");
        }

        if (used.EndsWith("_file", StringComparison.Ordinal))
        {
            var filePath = s.String(used, "the path of a file holding the secret");
            if (filePath is null || ReadSecretFile(s, used, node, filePath) is not { } content)
                return null;
            var trimmed = content.Trim();
            if (trimmed.Length == 0)
            {
                Problem(node, s.Key(used), $"a secret in {filePath}, which is empty");
                return null;
            }

            return new Secret(trimmed, $"file {filePath}");
        }

        var variable = s.String(used, "the name of an environment variable");
        if (variable is null)
            return null;
        var value = environment(variable);
        if (string.IsNullOrWhiteSpace(value))
        {
            Problem(node, s.Key(used), $"environment variable {variable} to be set and non-empty (it is {(value is null ? "not set" : "empty")})");
            return null;
        }

        return new Secret(value.Trim(), $"env {variable}");
    }

    /// <summary>Reads a file holding a secret, warning when group or others can read it.</summary>
    private string? ReadSecretFile(Section s, string key, TomlNode node, string filePath)
    {
        var full = Path.IsPathRooted(filePath) ? filePath : Path.Combine(_directory, filePath);
        try
        {
            var content = File.ReadAllText(full);
            if (!OperatingSystem.IsWindows())
            {
                var mode = File.GetUnixFileMode(full);
                if ((mode & GroupOrOthersRead) != 0)
                    Warn(node, s.Key(key), $"{filePath} is readable by group/others (mode {Octal(mode)}); chmod 600 it");
            }

            return content;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            Problem(node, s.Key(key), $"a readable file; {filePath} does not exist");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Problem(node, s.Key(key), $"a readable file; {filePath} cannot be read ({(ex is UnauthorizedAccessException ? "permission denied" : ex.GetType().Name)})");
        }

        return null;
    }

    private static bool HasPort(string text) =>
        text.StartsWith('[') ? text.Contains("]:", StringComparison.Ordinal) : text.Count(c => c == ':') == 1;

    private static bool IsHostName(string name) =>
        name.Length is > 0 and <= 253
        && name.Split('.').All(label => label.Length is > 0 and <= 63
            && label.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            && label[0] != '-' && label[^1] != '-');

    private static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0xFFF, 8);

    /// <summary>
    /// User text is quoted back only when short: long text might be a misplaced secret (API tokens are 28 to
    /// 40 characters), and not even its start is shown.
    /// </summary>
    internal static string Clip(string text) => text.Length <= 24 ? $"\"{text}\"" : $"a text of {text.Length} characters";

    internal void Problem(TomlNode at, string key, string expected) =>
        Problems.Add(new ConfigProblem(path, at.Line, at.Column, key, expected));

    private void Warn(TomlNode at, string key, string message) =>
        Warnings.Add(new ConfigWarning(path, at.Line, key, message));

    /// <summary>One table being read: typed getters that report wrong types, and a check for unknown keys.</summary>
    internal sealed class Section(ConfigReader reader, TomlTableNode table, string prefix)
    {
        private readonly HashSet<string> _used = [];

        public TomlTableNode Table { get; } = table;

        public string Key(string key) => prefix.Length == 0 ? key : $"{prefix}.{key}";

        public TomlNode? Node(string key) => Table.Get(key);

        public void MarkUsed(string key) => _used.Add(key);

        public TomlTableNode? SubTable(string key)
        {
            _used.Add(key);
            var node = Table.Get(key);
            if (node is null or TomlTableNode)
                return (TomlTableNode?)node;
            reader.Problem(node, Key(key), $"a table [{Key(key)}], found {node.Describe()}");
            return null;
        }

        public string? String(string key, string expected)
        {
            _used.Add(key);
            var node = Table.Get(key);
            if (node is null)
                return null;
            if (node is TomlValueNode { Syntax: StringValueSyntax { Value: { } value } })
                return value;
            reader.Problem(node, Key(key), $"{expected}, found {node.Describe()}");
            return null;
        }

        public long? Integer(string key, long min, long max)
        {
            _used.Add(key);
            var node = Table.Get(key);
            if (node is null)
                return null;
            if (node is TomlValueNode { Syntax: IntegerValueSyntax integer } && integer.Value >= min && integer.Value <= max)
                return integer.Value;
            var range = max == int.MaxValue ? $"an integer of at least {min}" : $"an integer from {min} to {max}";
            reader.Problem(node, Key(key), node is TomlValueNode { Syntax: IntegerValueSyntax i } ? $"{range}, found {i.Value}" : $"{range}, found {node.Describe()}");
            return null;
        }

        public TimeSpan? Duration(string key, bool allowZero, TimeSpan? max = null)
        {
            var limit = max is { } m ? $" (at most {ConfigDuration.Format(m)})" : "";
            var expected = $"a duration{(allowZero ? "" : " greater than zero")} like {ConfigDuration.Examples}{limit}";
            var text = String(key, expected);
            if (text is null)
                return null;
            if (ConfigDuration.TryParse(text, out var value) && (allowZero || value > TimeSpan.Zero) && (max is null || value <= max))
                return value;
            reader.Problem(Table.Get(key)!, Key(key), $"{expected}, found {Clip(text)}");
            return null;
        }

        /// <summary>A non-empty array of strings, each with its node (for the line of a bad item).</summary>
        public List<(string Text, TomlNode Node)>? Strings(string key, string expected)
        {
            _used.Add(key);
            var node = Table.Get(key);
            if (node is null)
                return null;
            if (node is TomlArrayNode { OfTables: false } array && array.Items.Count > 0
                && array.Items.All(item => item is TomlValueNode { Syntax: StringValueSyntax { Value: not null } }))
            {
                return [.. array.Items.Select(item => (((StringValueSyntax)((TomlValueNode)item).Syntax).Value!, item))];
            }

            var found = node is TomlArrayNode { Items.Count: 0 } ? "an empty array"
                : node is TomlArrayNode a ? $"an array holding {a.Items.First(i => i is not TomlValueNode { Syntax: StringValueSyntax }).Describe()}"
                : node.Describe();
            reader.Problem(node, Key(key), $"{expected}, found {found}");
            return null;
        }

        /// <summary>Every key not read is a problem: a typo must not be silently ignored.</summary>
        public void RejectUnknown(string[] allowed, string? provider = null)
        {
            foreach (var (key, node) in Table.Items)
            {
                if (_used.Contains(key) || allowed.Contains(key))
                    continue;
                var what = provider is null ? "" : $" for provider {provider}";
                reader.Problem(node, Key(key), $"a known key{what} ({string.Join(", ", allowed)}); {Clip(key)} is unknown");
            }
        }
    }
}
