using System.Diagnostics.CodeAnalysis;
using System.Net.Sockets;
using Rebound.Configuration;
using Rebound.Sense.Sources;

namespace Rebound.Sense.DnsWhoami;

/// <summary>
/// A DNS whoami: <c>dns:NAME@SERVER[:PORT][/A|/AAAA|/TXT][/CH]</c>, e.g. <c>dns:myip.opendns.com@resolver1.opendns.com</c>,
/// <c>dns:o-o.myaddr.l.google.com@ns1.google.com/TXT</c> or <c>dns:whoami.cloudflare@1.1.1.1/TXT/CH</c>.
/// </summary>
public sealed record DnsSourceSpec(string QueryName, HostPort Server, DnsWhoamiType Type, bool Chaos) : AddressSourceSpec
{
    public const int DefaultPort = 53;

    public override string Name => $"dns:{QueryName}@{Server}/{Type.ToString().ToUpperInvariant()}{(Chaos ? "/CH" : "")}";

    public override AddressSourceKind Kind => AddressSourceKind.Dns;

    public override AddressFamily Family => Type switch
    {
        DnsWhoamiType.Aaaa => AddressFamily.InterNetworkV6,
        DnsWhoamiType.A => AddressFamily.InterNetwork,
        _ => FamilyOfHost(Server.Host),
    };

    internal static bool TryParseSpec(string text, [NotNullWhen(true)] out AddressSourceSpec? spec, [NotNullWhen(false)] out string? error)
    {
        spec = null;
        var body = text[4..];
        var at = body.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0)
        {
            error = $"'{text}': expected dns:NAME@SERVER[/A|/AAAA|/TXT][/CH]";
            return false;
        }

        var name = body[..at].TrimEnd('.');
        var parts = body[(at + 1)..].Split('/');
        if (name.Length > 253 || name.Split('.').Any(l => l.Length is 0 or > 63))
        {
            error = $"'{text}': '{name}' is not a DNS name";
            return false;
        }

        if (!HostPort.TryParse(parts[0], DefaultPort, out var server, out var serverError))
        {
            error = $"'{text}': server {serverError}";
            return false;
        }

        DnsWhoamiType? type = null;
        var chaos = false;
        foreach (var option in parts.Skip(1))
        {
            switch (option.ToUpperInvariant())
            {
                case "A" when type is null:
                    type = DnsWhoamiType.A;
                    break;
                case "AAAA" when type is null:
                    type = DnsWhoamiType.Aaaa;
                    break;
                case "TXT" when type is null:
                    type = DnsWhoamiType.Txt;
                    break;
                case "CH" when !chaos:
                    chaos = true;
                    break;
                default:
                    error = $"'{text}': unknown or repeated option '/{option}' (expected /A, /AAAA, /TXT, /CH)";
                    return false;
            }
        }

        type ??= chaos ? DnsWhoamiType.Txt : FamilyOfHost(server.Host) == AddressFamily.InterNetworkV6 ? DnsWhoamiType.Aaaa : DnsWhoamiType.A;
        spec = new DnsSourceSpec(name, server, type.Value, chaos);
        error = null;
        return true;
    }
}

public enum DnsWhoamiType
{
    A = 1,
    Txt = 16,
    Aaaa = 28,
}
