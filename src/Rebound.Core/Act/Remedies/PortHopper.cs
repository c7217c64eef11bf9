using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text;
using Rebound.Act.Commands;
using Rebound.Act.Router;
using static Rebound.Act.Router.ConntrackConstants;

namespace Rebound.Act.Remedies;

/// <summary>
/// hop-port with the <c>nft</c> tool (through <see cref="ICommandRunner"/>, script on stdin) and ctnetlink. See
/// <see cref="IPortHopper"/> for the lifecycle and <see cref="HopTable"/> for the table.
/// </summary>
public sealed class PortHopper : IPortHopper
{
    private readonly HopPortOptions _options;
    private readonly ICommandRunner _commands;
    private readonly IHostConntrack _conntrack;
    private readonly TimeProvider _time;
    private readonly Func<IPAddress, bool> _isLocalAddress;
    private readonly int _blocks;
    private int _nextBlock;

    /// <param name="isLocalAddress">Whether an address is on one of this host's interfaces; default: the interfaces of the current namespace.</param>
    public PortHopper(HopPortOptions? options = null, ICommandRunner? commands = null, IHostConntrack? conntrack = null, TimeProvider? timeProvider = null, Func<IPAddress, bool>? isLocalAddress = null)
    {
        _options = options ?? new HopPortOptions();
        _time = timeProvider ?? TimeProvider.System;
        _commands = commands ?? new ProcessCommandRunner(_time);
        _conntrack = conntrack ?? new NetlinkHostConntrack(new NetlinkConntrackTable(timeProvider: _time));
        _isLocalAddress = isLocalAddress ?? IsLocalAddress;
        if (_options.PortRangeStart is < 1 or > 65535 || _options.PortRangeEnd < _options.PortRangeStart || _options.PortRangeEnd > 65535 || _options.BlockSize < 1)
            throw new ArgumentException("port range 1-65535, start <= end, block size >= 1", nameof(options));
        _blocks = Math.Max(1, (_options.PortRangeEnd - _options.PortRangeStart + 1) / _options.BlockSize);
        _nextBlock = System.Security.Cryptography.RandomNumberGenerator.GetInt32(_blocks);
    }

    /// <summary>The port block the next hop uses (and moves on).</summary>
    private (int Start, int End) NextBlock()
    {
        var block = _nextBlock;
        _nextBlock = (_nextBlock + 1) % _blocks;
        var start = _options.PortRangeStart + (block * _options.BlockSize);
        return (start, Math.Min(_options.PortRangeEnd, start + _options.BlockSize - 1));
    }

    private string Table => _options.TableName;

    public async ValueTask<HopResult> HopAsync(HopRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Ports.Count == 0 || request.Ports.Any(p => p is < 1 or > 65535))
            throw new ArgumentException("ports must be 1-65535 and at least one", nameof(request));
        var v6 = request.Family == AddressFamily.InterNetworkV6;
        if (request.PublicAddress is null && v6)
            return HopResult.NotApplicable("IPv6 without NAT: no public IPv6 address is known to differ from the host's own");
        if (request.PublicAddress is { } pub && _isLocalAddress(pub))
        {
            return HopResult.NotApplicable(v6
                ? $"IPv6 without NAT: the public address {pub} is the host's own, so a new source port leaves by the same path"
                : $"no NAT upstream: the public address {pub} is the host's own");
        }

        HopTableState state;
        try
        {
            state = await InspectAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NftMissingException ex)
        {
            return HopResult.NotApplicable(ex.Message);
        }

        var set = v6 ? "active6" : "active4";
        var (rangeStart, rangeEnd) = NextBlock();
        var script = !state.Present || state.Foreign
            ? HopTable.CreateScript(Table, rangeStart, rangeEnd,
                v6 ? state.Active4 : state.Active4.Concat(request.Ports),
                v6 ? state.Active6.Concat(request.Ports) : state.Active6,
                state.Hopped.Concat(request.Ports))
            : HopTable.ReplaceRangeScript(Table, state.HopRuleHandles, rangeStart, rangeEnd)
                + HopTable.AddElementsScript(Table, set, request.Ports) + HopTable.AddElementsScript(Table, "hopped", request.Ports);
        await RunNftAsync(script, cancellationToken).ConfigureAwait(false);

        // The rule only catches a flow's first packet: delete the host's entries of the port so the next packet is one.
        // Then look again while packets still left untranslated (an entry made in the moment before the rule, or by an
        // answer from the old path), and delete those too.
        var deleted = 0;
        var sweeps = 0;
        var leaking = 0;
        while (sweeps < _options.MaxSweeps)
        {
            sweeps++;
            // The first pass also deletes flows an earlier hop translated: a failback pins those as well, and the
            // rule's random port choice gives them a 5-tuple the router has not seen.
            var entries = await ListAsync(cancellationToken).ConfigureAwait(false);
            var victims = Untranslated(entries, request.Ports, request.Family);
            if (sweeps == 1)
                victims.AddRange(Healed(entries, request.Ports).Where(e => e.Family == FamilyByte(request.Family)));
            leaking = victims.Count;
            if (victims.Count == 0 && sweeps > 1)
                break;
            deleted += await DeleteAsync(victims, cancellationToken).ConfigureAwait(false);
            leaking = 0;
            await Task.Delay(_options.LeakCheckInterval, _time, cancellationToken).ConfigureAwait(false);
        }

        var ports = string.Join(",", request.Ports.Order());
        var detail = $"udp sport {ports} ({(v6 ? "ipv6" : "ipv4")}) masqueraded to :{rangeStart}-{rangeEnd} in table inet {Table}"
            + (state.Foreign ? " (replaced a table of that name that was not ours)" : "")
            + $"; {deleted} conntrack {(deleted == 1 ? "entry" : "entries")} deleted in {sweeps} {(sweeps == 1 ? "pass" : "passes")}"
            + (leaking > 0 ? $"; {leaking} still untranslated" : "");
        return new HopResult(true, null, deleted, sweeps, leaking, detail);
    }

    public async ValueTask<int> SweepAsync(IReadOnlyCollection<int> ports, AddressFamily family, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ports);
        var victims = Untranslated(await ListAsync(cancellationToken).ConfigureAwait(false), ports, family);
        return await DeleteAsync(victims, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<string> ReleaseAsync(IReadOnlyCollection<int> ports, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ports);
        var state = await InspectAsync(cancellationToken).ConfigureAwait(false);
        if (!state.Present || state.Foreign)
            return $"table inet {Table} {(state.Present ? "is not ours" : "is absent")}; nothing released";
        var script = HopTable.DeleteElementsScript(Table, "active4", ports.Where(state.Active4.Contains))
            + HopTable.DeleteElementsScript(Table, "active6", ports.Where(state.Active6.Contains));
        if (script.Length == 0)
            return $"udp sport {string.Join(",", ports.Order())} not hopped for new flows; nothing released";
        await RunNftAsync(script, cancellationToken).ConfigureAwait(false);
        return $"new flows from udp sport {string.Join(",", ports.Where(state.Active.Contains).Order())} no longer hopped; healed flows keep their translation";
    }

    public async ValueTask<string?> CleanupAsync(CancellationToken cancellationToken)
    {
        var state = await InspectAsync(cancellationToken).ConfigureAwait(false);
        if (!state.Present || state.Foreign)
            return null;
        var idle = state.Hopped.Where(p => !state.Active.Contains(p)).ToList();
        var entries = idle.Count > 0 ? await ListAsync(cancellationToken).ConfigureAwait(false) : [];
        var forget = idle.Where(p => Healed(entries, [p]).Count == 0).ToList();
        if (forget.Count == state.Hopped.Count && state.Active4.Count == 0 && state.Active6.Count == 0)
        {
            await RunNftAsync(HopTable.DeleteTableScript(Table), cancellationToken).ConfigureAwait(false);
            return $"table inet {Table} deleted: no hopped port and no healed flow left";
        }

        if (forget.Count == 0)
            return null;
        await RunNftAsync(HopTable.DeleteElementsScript(Table, "hopped", forget), cancellationToken).ConfigureAwait(false);
        return $"udp sport {string.Join(",", forget.Order())}: no healed flow left, forgotten";
    }

    public async ValueTask<HopTableState> InspectAsync(CancellationToken cancellationToken)
    {
        var result = await RunAsync([.. _options.NftCommand, "-j", "list", "table", "inet", Table], null, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            if (result.Error.Contains("No such file or directory", StringComparison.Ordinal))
                return HopTableState.Absent;
            throw new HopPortException($"nft list table inet {Table} exited {result.ExitCode}: {result.FirstErrorLine}");
        }

        return HopTable.Parse(result.Output) ?? throw new HopPortException($"nft list table inet {Table}: unreadable JSON");
    }

    public async ValueTask<int> CountHealedAsync(IReadOnlyCollection<int> ports, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ports);
        return Healed(await ListAsync(cancellationToken).ConfigureAwait(false), ports).Count;
    }

    /// <summary>
    /// Entries of these ports that carry no translation: outbound from the port, or inbound to it. A source-NATed entry
    /// is never one: a healed flow to a remote on the same port (Nebula: 4242 to 4242) also looks inbound by its ports,
    /// and deleting it re-hops the flow to yet another port on its next packet. Pure; for tests.
    /// </summary>
    public static List<ConntrackEntry> Untranslated(IEnumerable<ConntrackEntry> entries, IReadOnlyCollection<int> ports, AddressFamily family)
    {
        var f = FamilyByte(family);
        return [.. entries.Where(e => e.Family == f && e.Original.Protocol == IpprotoUdp && (e.Status & StatusSrcNat) == 0
            && ((ports.Contains(e.Original.SourcePort) && e.Reply.DestinationPort == e.Original.SourcePort)
                || (ports.Contains(e.Original.DestinationPort) && e.Reply.SourcePort == e.Original.DestinationPort)))];
    }

    /// <summary>Outbound entries of these ports whose source port was translated (by hop-port's masquerade). Pure; for tests.</summary>
    public static List<ConntrackEntry> Healed(IEnumerable<ConntrackEntry> entries, IReadOnlyCollection<int> ports) =>
        [.. entries.Where(e => e.Original.Protocol == IpprotoUdp && ports.Contains(e.Original.SourcePort)
            && e.Reply.DestinationPort != e.Original.SourcePort && (e.Status & StatusSrcNat) != 0)];

    private static byte FamilyByte(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? AfInet6 : AfInet;

    private static bool IsLocalAddress(IPAddress address)
    {
        try
        {
            return NetworkInterface.GetAllNetworkInterfaces()
                .SelectMany(i => i.GetIPProperties().UnicastAddresses)
                .Any(u => u.Address.Equals(address));
        }
        catch (NetworkInformationException)
        {
            return false;
        }
    }

    private async ValueTask<IReadOnlyList<ConntrackEntry>> ListAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _conntrack.ListAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ConntrackException ex)
        {
            throw new HopPortException($"host conntrack: {ex.Message}", ex);
        }
    }

    private async ValueTask<int> DeleteAsync(List<ConntrackEntry> entries, CancellationToken cancellationToken)
    {
        try
        {
            return await _conntrack.DeleteAsync(entries, cancellationToken).ConfigureAwait(false);
        }
        catch (ConntrackException ex)
        {
            throw new HopPortException($"host conntrack: {ex.Message}", ex);
        }
    }

    private async ValueTask RunNftAsync(string script, CancellationToken cancellationToken)
    {
        var result = await RunAsync([.. _options.NftCommand, "-f", "-"], script, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
            throw new HopPortException($"nft -f exited {result.ExitCode}: {result.FirstErrorLine}");
    }

    private async ValueTask<CommandResult> RunAsync(IReadOnlyList<string> argv, string? input, CancellationToken cancellationToken)
    {
        try
        {
            return await _commands.RunAsync(
                new CommandRequest(argv, _options.CommandTimeout) { Input = input is null ? null : Encoding.UTF8.GetBytes(input) },
                cancellationToken).ConfigureAwait(false);
        }
        catch (CommandStartException ex)
        {
            throw new NftMissingException($"nftables not usable: {ex.Message}", ex);
        }
        catch (CommandTimeoutException ex)
        {
            throw new HopPortException($"nft did not finish within {_options.CommandTimeout.TotalSeconds:0} s", ex);
        }
    }
}

/// <summary>The nft program could not be started (not installed): hop-port does not apply, the ladder goes on.</summary>
public sealed class NftMissingException : Exception
{
    public NftMissingException()
    {
    }

    public NftMissingException(string message)
        : base(message)
    {
    }

    public NftMissingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
