using System.Globalization;
using Rebound.Act.Commands;

namespace Rebound.Act.WireGuard;

/// <summary>
/// Kernel WireGuard has no UAPI socket: read it with <c>wg show IF dump</c> and change it with <c>wg set</c>
/// (wireguard-tools). Keepalive toggles run as separate <c>wg set</c> calls, each value in turn.
/// </summary>
public sealed class WgToolWireGuardControl(string interfaceName, ICommandRunner commands, string wgPath = "wg") : IWireGuardControl
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(5);

    private readonly ICommandRunner _commands = commands ?? throw new ArgumentNullException(nameof(commands));

    public string Interface { get; } = interfaceName;

    public string Describe => $"{wgPath} show {Interface} dump";

    public async ValueTask<WireGuardDeviceState> GetAsync(CancellationToken cancellationToken) =>
        WgDumpParser.Parse(await RunAsync(["show", Interface, "dump"], cancellationToken).ConfigureAwait(false));

    public async ValueTask SetAsync(WireGuardChange change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        foreach (var args in Commands(Interface, change))
            await RunAsync(args, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The <c>wg set</c> argument lists for a change, in order.</summary>
    public static IReadOnlyList<string[]> Commands(string interfaceName, WireGuardChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var first = new List<string> { "set", interfaceName };
        if (change.ListenPort is { } port)
            first.AddRange(["listen-port", port.ToString(CultureInfo.InvariantCulture)]);
        var later = new List<string[]>();
        foreach (var p in change.Peers)
        {
            if (p.Endpoint is { } endpoint)
                first.AddRange(["peer", p.PublicKey, "endpoint", endpoint.ToString()]);
            foreach (var seconds in p.PersistentKeepaliveSeconds)
                later.Add(["set", interfaceName, "peer", p.PublicKey, "persistent-keepalive", seconds == 0 ? "off" : seconds.ToString(CultureInfo.InvariantCulture)]);
        }

        return first.Count > 2 ? [[.. first], .. later] : later;
    }

    private async Task<string> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        CommandResult result;
        try
        {
            result = await _commands.RunAsync(new CommandRequest([wgPath, .. args], CommandTimeout), cancellationToken).ConfigureAwait(false);
        }
        catch (CommandTimeoutException ex)
        {
            throw new WireGuardProtocolException($"{Interface}: {wgPath} {args[0]} did not finish within {CommandTimeout.TotalSeconds} s", ex);
        }
        catch (CommandStartException ex)
        {
            throw new WireGuardProtocolException($"{Interface}: {ex.Message}", ex);
        }

        return result.ExitCode == 0
            ? result.Output
            : throw new WireGuardProtocolException($"{Interface}: {wgPath} {args[0]} exited {result.ExitCode}: {result.FirstErrorLine}");
    }
}
