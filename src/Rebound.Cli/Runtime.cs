using Rebound.Cli.Commands;
using Rebound.Decide;
using Rebound.Sense;
using Rebound.Sense.Stun;

namespace Rebound.Cli;

/// <summary>Wires real sensors to the watcher; tests substitute the factories.</summary>
internal static class Runtime
{
    public static CliServices Real() =>
        new(CreateProber, CreateWatcher, StunTargetResolver.ResolveAsync, Console.OpenStandardOutput(), Console.Error);

    public static IStunProber CreateProber(TimeSpan timeout) =>
        new StunProber(new StunProberOptions { Timeout = timeout }, TimeProvider.System);

    public static WanWatcherRuntime CreateWatcher(WatchSettings settings)
    {
        var prober = CreateProber(settings.ProbeTimeout);
        var watcher = new WanWatcher(settings.Options, prober, TimeProvider.System);
        return new WanWatcherRuntime(watcher, []);
    }
}

/// <summary>What the commands need from the outside world.</summary>
internal sealed record CliServices(
    Func<TimeSpan, IStunProber> CreateProber,
    Func<WatchSettings, WanWatcherRuntime> CreateWatcher,
    Func<StunTarget, CancellationToken, Task<(StunServer? Server, string? Error)>> Resolve,
    Stream Stdout,
    TextWriter Stderr);
