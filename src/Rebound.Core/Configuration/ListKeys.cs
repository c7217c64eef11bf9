using System.Net;

namespace Rebound.Configuration;

/// <summary>A non-empty array of IP addresses (no prefixes); absent: empty.</summary>
/// <param name="expected">What the array should be, e.g. "a non-empty array of tunnel IP addresses".</param>
/// <param name="itemExpected">What each item should be, e.g. "an IP address".</param>
public sealed class AddressListKey(string name, string doc, string expected, string itemExpected) : ConfigKey(name, doc)
{
    /// <summary>When set, an address listed twice is a problem naming this (e.g. "peer": "each peer once").</summary>
    public string? UniqueNoun { get; init; }

    public override string Type => "an array of IP addresses";

    public override string? DefaultText => "[]";

    internal IReadOnlyList<IPAddress> Read(ConfigSection s)
    {
        var addresses = new List<IPAddress>();
        var seen = new HashSet<IPAddress>();
        foreach (var (text, node) in s.Strings(Name, expected) ?? [])
        {
            if (!IPAddress.TryParse(text.Trim(), out var address) || text.Contains('/', StringComparison.Ordinal))
                s.Problem(node, Name, $"{itemExpected}, found {ConfigReader.Clip(text)}");
            else if (UniqueNoun is { } noun && !seen.Add(address))
                s.Problem(node, Name, $"each {noun} once; {address} is listed twice");
            else
                addresses.Add(address);
        }

        return addresses;
    }
}

/// <summary>
/// A non-empty array of names checked one by one; <paramref name="check"/> returns null for a good item, else what
/// was expected. Absent: empty.
/// </summary>
public sealed class NameListKey(string name, string doc, string expected, Func<string, string?> check) : ConfigKey(name, doc)
{
    public override string Type => "an array of strings";

    public override string? DefaultText => "[]";

    internal IReadOnlyList<string> Read(ConfigSection s)
    {
        var names = new List<string>();
        foreach (var (text, node) in s.Strings(Name, expected) ?? [])
        {
            if (check(text) is { } problem)
                s.Problem(node, Name, $"{problem}, found {ConfigReader.Clip(text)}");
            else
                names.Add(text);
        }

        return names;
    }
}

/// <summary>
/// A host and port in the one grammar (<see cref="HostPort"/>); <paramref name="defaultPort"/> null: the port must be
/// given. The problem says <paramref name="expected"/> and what is wrong.
/// </summary>
public sealed class HostPortKey(string name, string doc, string expected, int? defaultPort) : ConfigKey(name, doc)
{
    public override string Type => defaultPort is { } port ? $"HOST or HOST:PORT (port {port} if omitted)" : "HOST:PORT";

    internal HostPort? Read(ConfigSection s)
    {
        if (s.String(Name, expected) is { } text)
        {
            if (HostPort.TryParse(text, defaultPort, out var value, out var error))
                return value;
            s.Problem(Name, $"{expected} ({error})");
        }
        else if (Required && s.Node(Name) is null)
        {
            s.Problem(Name, $"{expected} (missing)");
        }

        return null;
    }
}
