using System.Globalization;
using System.Net;
using System.Text;

namespace Rebound.Act.WireGuard;

/// <summary>
/// The cross-platform WireGuard userspace API (https://www.wireguard.com/xplatform/): <c>get=1\n\n</c> answers
/// <c>key=value</c> lines ending with <c>errno=N</c> and an empty line; <c>set=1\n…\n\n</c> answers <c>errno=N\n\n</c>.
/// Pure functions; every malformed input gives <see cref="WireGuardProtocolException"/>, nothing else.
/// </summary>
public static class UapiCodec
{
    public static readonly byte[] GetRequest = "get=1\n\n"u8.ToArray();

    /// <summary>Longest response accepted (a device with thousands of peers is a few hundred kB).</summary>
    public const int MaxResponseBytes = 8 * 1024 * 1024;

    /// <summary>True once <paramref name="received"/> holds a whole response (it ends with an empty line).</summary>
    public static bool IsComplete(ReadOnlySpan<byte> received) =>
        received.Length >= 2 && received[^1] == (byte)'\n' && received[^2] == (byte)'\n';

    /// <summary>Parses a <c>get=1</c> response; a non-zero errno is an error too.</summary>
    public static WireGuardDeviceState ParseGet(ReadOnlySpan<byte> response)
    {
        var hasPrivateKey = false;
        var listenPort = 0;
        uint fwmark = 0;
        var peers = new List<WireGuardPeerState>();
        PeerBuilder? peer = null;
        int? errno = null;
        foreach (var (key, value) in Lines(response))
        {
            if (errno is not null)
                throw new WireGuardProtocolException($"uapi: '{Clip(key)}' after errno");
            switch (key)
            {
                case "errno":
                    errno = Integer(key, value, int.MinValue, int.MaxValue);
                    break;
                case "private_key":
                    hasPrivateKey = value.Length > 0 && value.Trim('0').Length > 0;
                    break;
                case "listen_port":
                    listenPort = Integer(key, value, 0, 65535);
                    break;
                case "fwmark":
                    fwmark = (uint)Integer64(key, value, 0, uint.MaxValue);
                    break;
                case "public_key":
                    if (peer is not null)
                        peers.Add(peer.Build());
                    if (!WireGuardKeys.TryHexToBase64(value, out var publicKey))
                        throw new WireGuardProtocolException("uapi: public_key is not 64 hex digits");
                    peer = new PeerBuilder(publicKey);
                    break;
                default:
                    if (peer is null)
                    {
                        // Unknown device-level keys (newer versions) are skipped; peer keys before any peer are not.
                        if (IsPeerKey(key))
                            throw new WireGuardProtocolException($"uapi: '{key}' before any public_key");
                        break;
                    }

                    peer.Set(key, value);
                    break;
            }
        }

        if (errno is null)
            throw new WireGuardProtocolException("uapi: response without errno");
        if (errno != 0)
            throw new WireGuardProtocolException($"uapi: get failed with errno {errno}");
        if (peer is not null)
            peers.Add(peer.Build());
        return new WireGuardDeviceState(hasPrivateKey, listenPort, fwmark, peers);
    }

    /// <summary>The errno of a <c>set=1</c> response (0: applied).</summary>
    public static int ParseSetResponse(ReadOnlySpan<byte> response)
    {
        int? errno = null;
        foreach (var (key, value) in Lines(response))
        {
            if (key != "errno" || errno is not null)
                throw new WireGuardProtocolException($"uapi: unexpected '{Clip(key)}' in a set response");
            errno = Integer(key, value, int.MinValue, int.MaxValue);
        }

        return errno ?? throw new WireGuardProtocolException("uapi: set response without errno");
    }

    /// <summary>
    /// A <c>set=1</c> request. Peers are changed with <c>update_only=true</c>, so a peer removed meanwhile
    /// is not created again.
    /// </summary>
    public static byte[] BuildSet(WireGuardChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var text = new StringBuilder("set=1\n");
        if (change.ListenPort is { } port)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(port);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
            text.Append(CultureInfo.InvariantCulture, $"listen_port={port}\n");
        }

        foreach (var p in change.Peers)
        {
            if (!WireGuardKeys.TryBase64ToHex(p.PublicKey, out var hex))
                throw new ArgumentException("not a base64 WireGuard public key", nameof(change));
            text.Append(CultureInfo.InvariantCulture, $"public_key={hex}\nupdate_only=true\n");
            if (p.Endpoint is { } endpoint)
                text.Append(CultureInfo.InvariantCulture, $"endpoint={endpoint}\n");
            foreach (var seconds in p.PersistentKeepaliveSeconds)
            {
                ArgumentOutOfRangeException.ThrowIfNegative(seconds);
                ArgumentOutOfRangeException.ThrowIfGreaterThan(seconds, 65535);
                text.Append(CultureInfo.InvariantCulture, $"persistent_keepalive_interval={seconds}\n");
            }
        }

        text.Append('\n');
        return Encoding.ASCII.GetBytes(text.ToString());
    }

    private static bool IsPeerKey(string key) => key is "endpoint" or "last_handshake_time_sec" or "last_handshake_time_nsec"
        or "rx_bytes" or "tx_bytes" or "persistent_keepalive_interval" or "allowed_ip" or "preshared_key" or "protocol_version";

    /// <summary>Splits into key/value pairs, stopping at the empty line that ends a response.</summary>
    private static List<(string Key, string Value)> Lines(ReadOnlySpan<byte> response)
    {
        if (response.Length > MaxResponseBytes)
            throw new WireGuardProtocolException($"uapi: response longer than {MaxResponseBytes} bytes");
        var lines = new List<(string, string)>();
        var rest = response;
        while (true)
        {
            var end = rest.IndexOf((byte)'\n');
            if (end < 0)
                throw new WireGuardProtocolException("uapi: response does not end with an empty line");
            var line = rest[..end];
            rest = rest[(end + 1)..];
            if (line.IsEmpty)
            {
                if (!rest.IsEmpty)
                    throw new WireGuardProtocolException("uapi: data after the terminating empty line");
                return lines;
            }

            var eq = line.IndexOf((byte)'=');
            if (eq <= 0)
                throw new WireGuardProtocolException("uapi: line without key=value");
            foreach (var b in line)
            {
                if (b < 0x20 || b > 0x7E)
                    throw new WireGuardProtocolException("uapi: non-printable byte in a line");
            }

            lines.Add((Encoding.ASCII.GetString(line[..eq]), Encoding.ASCII.GetString(line[(eq + 1)..])));
        }
    }

    private static int Integer(string key, string value, int min, int max) => (int)Integer64(key, value, min, max);

    private static long Integer64(string key, string value, long min, long max)
    {
        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max)
            return n;
        throw new WireGuardProtocolException($"uapi: {key} is not a number from {min} to {max}");
    }

    /// <summary><c>a.b.c.d:port</c> or <c>[v6]:port</c>, as UAPI and <c>wg</c> print endpoints.</summary>
    internal static bool TryParseEndpoint(string value, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IPEndPoint? endpoint)
    {
        endpoint = null;
        var hasPort = value.StartsWith('[') ? value.Contains("]:", StringComparison.Ordinal) : value.Count(c => c == ':') == 1;
        return hasPort && IPEndPoint.TryParse(value, out endpoint);
    }

    private static string Clip(string key) => key.Length <= 32 ? key : key[..32] + "…";

    private sealed class PeerBuilder(string publicKey)
    {
        private readonly List<string> _allowedIps = [];
        private IPEndPoint? _endpoint;
        private long _handshakeSec;
        private long _handshakeNsec;
        private long _rx;
        private long _tx;
        private int _keepalive;

        public void Set(string key, string value)
        {
            switch (key)
            {
                case "endpoint":
                    if (!TryParseEndpoint(value, out var endpoint))
                        throw new WireGuardProtocolException("uapi: endpoint is not address:port");
                    _endpoint = endpoint;
                    break;
                case "last_handshake_time_sec":
                    _handshakeSec = Integer64(key, value, 0, 253402300799); // up to year 9999
                    break;
                case "last_handshake_time_nsec":
                    _handshakeNsec = Integer64(key, value, 0, 999_999_999);
                    break;
                case "rx_bytes":
                    _rx = Integer64(key, value, 0, long.MaxValue);
                    break;
                case "tx_bytes":
                    _tx = Integer64(key, value, 0, long.MaxValue);
                    break;
                case "persistent_keepalive_interval":
                    _keepalive = Integer(key, value, 0, 65535);
                    break;
                case "allowed_ip":
                    _allowedIps.Add(value);
                    break;
                default:
                    // preshared_key (a secret: dropped unread), protocol_version, and keys of newer versions.
                    break;
            }
        }

        public WireGuardPeerState Build()
        {
            DateTimeOffset? handshake = _handshakeSec == 0 && _handshakeNsec == 0
                ? null
                : DateTimeOffset.UnixEpoch.AddSeconds(_handshakeSec).AddTicks(_handshakeNsec / 100);
            return new WireGuardPeerState(publicKey, _endpoint, handshake, _rx, _tx, _keepalive, _allowedIps);
        }
    }
}
