namespace Rebound.Configuration;

/// <summary>
/// One table of the configuration file as its definition declares it: name, shape, what it is for and its keys.
/// <see cref="ConfigSchema.Tables"/> lists every one; the reader, the known keys, the sample configuration and
/// <c>check-config</c> work from that list.
/// </summary>
public abstract class ConfigTable
{
    /// <summary>The table's name in the file: <c>watch</c> for <c>[watch]</c>, <c>wireguard</c> for <c>[[wireguard]]</c>.</summary>
    public abstract string Name { get; }

    /// <summary>Written <c>[[name]]</c>, any number of times; else one <c>[name]</c> table.</summary>
    public virtual bool Many => false;

    /// <summary>What the table is for, a few sentences: the comment above it in the sample configuration.</summary>
    public abstract string Description { get; }

    public abstract IReadOnlyList<ConfigKey> Keys { get; }

    /// <summary>"[watch]" or "[[wireguard]]".</summary>
    public string Header => Many ? $"[[{Name}]]" : $"[{Name}]";

    /// <summary>
    /// Keys the sample configuration writes uncommented, inside an uncommented table header; empty (the usual case):
    /// the whole table is commented out and shows the defaults.
    /// </summary>
    public virtual IReadOnlyList<ConfigKey> ActiveInSample => [];

    /// <summary>The kinds of entry whose keys add to <see cref="Keys"/> (the providers of <c>[[ddns]]</c>); usually none.</summary>
    public virtual IReadOnlyList<ConfigVariant> Variants => [];
}

/// <summary>
/// One kind of entry of a table whose other keys depend on one of its keys: a DNS provider of <c>[[ddns]]</c>. The
/// sample configuration shows each as its own entry, starting with <see cref="FixedLines"/>.
/// </summary>
/// <param name="Name">The value that selects it, e.g. <c>rfc2136</c>.</param>
/// <param name="Doc">One line: what it is.</param>
/// <param name="FixedLines">The lines every such entry starts with, e.g. <c>provider = "rfc2136"</c>.</param>
/// <param name="Keys">Its own keys, after the table's.</param>
public sealed record ConfigVariant(string Name, string Doc, IReadOnlyList<string> FixedLines, IReadOnlyList<ConfigKey> Keys);
