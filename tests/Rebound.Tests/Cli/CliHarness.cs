using System.Net;
using System.Text;
using Rebound.Cli;
using Rebound.Cli.Commands;
using Rebound.Decide;
using Rebound.Sense;
using Rebound.Sense.Http;
using Rebound.Sense.Sources;
using Rebound.Sense.Stun;
using Rebound.Tests.Fakes;

namespace Rebound.Tests.Cli;

/// <summary>Runs the real command tree in-process with a scripted prober, a fake resolver and captured output.</summary>
internal sealed class CliHarness
{
    public ScriptedStunProber Prober { get; } = new();

    public MemoryStream Stdout { get; } = new();

    public StringWriter Stderr { get; } = new();

    public HashSet<string> Unresolvable { get; } = [];

    public string Out => Encoding.UTF8.GetString(Stdout.ToArray());

    public string[] ErrLines => Stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public Task<int> RunAsync(params string[] args) => ReboundCli.RunAsync(args, Services());

    public CliServices Services() => new(
        _ => Prober,
        (s, _) => Task.FromResult(new WanWatcherRuntime(new WanWatcher(s.Options, Prober, TimeProvider.System, resolve: Resolve, createSource: CreateSource), [])),
        Resolve,
        Stdout,
        Stderr,
        ct => Task.Delay(Timeout.Infinite, ct))
    {
        CreateSource = CreateSource,
    };

    /// <summary>HTTP/DNS/gateway sources are fakes answering from <see cref="Prober"/>'s script: no packet leaves the test.</summary>
    private FakeAddressSource CreateSource(AddressSourceSpec spec) =>
        new(spec, Prober) { Unresolvable = spec is HttpSourceSpec http && Unresolvable.Contains(http.Url.Host) };

    private Task<(StunServer? Server, string? Error)> Resolve(StunTarget target, CancellationToken ct)
    {
        if (target.Literal is { } literal)
        {
            return Task.FromResult<(StunServer?, string?)>((new StunServer(target.Name, new IPEndPoint(literal, target.Port)), null));
        }

        return Task.FromResult<(StunServer?, string?)>(Unresolvable.Contains(target.Host)
            ? (null, $"cannot resolve {target.Host}: Name or service not known")
            : (new StunServer(target.Name, new IPEndPoint(IPAddress.Parse("203.0.113.77"), target.Port)), null));
    }
}
