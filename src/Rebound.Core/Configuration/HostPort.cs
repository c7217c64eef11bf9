using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Rebound.Configuration;

/// <summary>
/// A host (name or address) and a port: the one host:port grammar of the file and the command line. Written
/// <c>HOST</c>, <c>HOST:PORT</c>, <c>IPV4:PORT</c>, <c>[IPV6]:PORT</c> or a bare IPv6 address; the port is 1-65535 and,
/// where the use has one (3478 for STUN, 53 for DNS), may be left out.
/// </summary>
public sealed record HostPort(string Host, int Port)
{
    /// <summary>The host as an address when it is one.</summary>
    public IPAddress? Literal => IPAddress.TryParse(Host, out var ip) ? ip : null;

    /// <summary><c>host:port</c>, with brackets around an IPv6 address.</summary>
    public override string ToString() => Format(Host, Port);

    public static string Format(string host, int port) =>
        host.Contains(':', StringComparison.Ordinal) ? $"[{host}]:{port}" : $"{host}:{port}";

    /// <summary>
    /// Parses <paramref name="text"/>; <paramref name="defaultPort"/> null means the port must be given. The error names
    /// what is wrong in one line.
    /// </summary>
    public static bool TryParse(string? text, int? defaultPort, [NotNullWhen(true)] out HostPort? value, [NotNullWhen(false)] out string? error)
    {
        value = null;
        error = null;
        text = text?.Trim() ?? "";
        if (text.Length == 0)
        {
            error = "empty host";
            return false;
        }

        string host;
        string? portText = null;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                error = $"'{text}': missing ']' after IPv6 address";
                return false;
            }

            host = text[1..close];
            var rest = text[(close + 1)..];
            if (rest.Length > 0)
            {
                if (rest[0] != ':')
                {
                    error = $"'{text}': expected ':PORT' after ']'";
                    return false;
                }

                portText = rest[1..];
            }

            if (!IPAddress.TryParse(host, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                error = $"'{text}': '{host}' is not an IPv6 address";
                return false;
            }
        }
        else if (text.Count(c => c == ':') > 1)
        {
            // A bare IPv6 literal has no room for a port.
            if (!IPAddress.TryParse(text, out _))
            {
                error = $"'{text}': not a host, HOST:PORT or [IPV6]:PORT";
                return false;
            }

            host = text;
        }
        else
        {
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            host = colon < 0 ? text : text[..colon];
            portText = colon < 0 ? null : text[(colon + 1)..];
        }

        int port;
        if (portText is null)
        {
            if (defaultPort is not { } fallback)
            {
                error = $"'{text}': a port is needed (HOST:PORT or [IPV6]:PORT)";
                return false;
            }

            port = fallback;
        }
        else if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
        {
            error = $"'{text}': port must be a number from 1 to 65535";
            return false;
        }

        if (host.Length == 0 || (IPAddress.TryParse(host, out _) is false && !IsHostName(host)))
        {
            error = $"'{text}': '{host}' is not a valid host name or address";
            return false;
        }

        value = new HostPort(host, port);
        return true;
    }

    /// <summary>Labels of 1-63 letters, digits, '-' and '_' (not starting or ending with '-'), 253 characters at most.</summary>
    public static bool IsHostName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Length is > 0 and <= 253
            && name.Split('.').All(label => label.Length is > 0 and <= 63
                && label.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
                && label[0] != '-' && label[^1] != '-');
    }
}
