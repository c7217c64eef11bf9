using System.Globalization;

namespace Rebound.Act.WireGuard;

/// <summary>
/// Parses <c>wg show IF dump</c> (wireguard-tools), for kernel WireGuard, which has no UAPI socket: a tab-separated
/// interface line (private key, public key, listen port, fwmark), then one line per peer (public key, preshared key,
/// endpoint, allowed ips, latest handshake, rx, tx, persistent keepalive). Keys other than public keys are not kept.
/// </summary>
public static class WgDumpParser
{
    public static WireGuardDeviceState Parse(string dump)
    {
        ArgumentNullException.ThrowIfNull(dump);
        var lines = dump.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0)
            throw new WireGuardProtocolException("wg dump: empty");
        var head = lines[0].Split('\t');
        if (head.Length != 4)
            throw new WireGuardProtocolException("wg dump: interface line does not have 4 fields");
        var hasPrivateKey = head[0] != "(none)";
        var port = Number(head[2], 65535, "listen port");
        var fwmark = head[3] == "off" ? 0u : (uint)Number(head[3], uint.MaxValue, "fwmark");
        var peers = new List<WireGuardPeerState>();
        foreach (var line in lines.Skip(1))
        {
            var f = line.Split('\t');
            if (f.Length != 8)
                throw new WireGuardProtocolException("wg dump: peer line does not have 8 fields");
            if (!WireGuardKeys.IsValidBase64Key(f[0]))
                throw new WireGuardProtocolException("wg dump: peer public key is not base64 of 32 bytes");
            System.Net.IPEndPoint? endpoint = null;
            if (f[2] != "(none)" && !UapiCodec.TryParseEndpoint(f[2], out endpoint))
                throw new WireGuardProtocolException("wg dump: endpoint is not address:port");
            var handshake = Number(f[4], 253402300799, "latest handshake");
            var allowed = f[3] == "(none)" ? [] : f[3].Split(',');
            peers.Add(new WireGuardPeerState(
                f[0],
                endpoint,
                handshake == 0 ? null : DateTimeOffset.UnixEpoch.AddSeconds(handshake),
                Number(f[5], long.MaxValue, "rx"),
                Number(f[6], long.MaxValue, "tx"),
                f[7] == "off" ? 0 : (int)Number(f[7], 65535, "persistent keepalive"),
                allowed));
        }

        return new WireGuardDeviceState(hasPrivateKey, (int)port, fwmark, peers);
    }

    private static long Number(string text, long max, string what) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= max
            ? n
            : throw new WireGuardProtocolException($"wg dump: {what} is not a number up to {max}");
}
