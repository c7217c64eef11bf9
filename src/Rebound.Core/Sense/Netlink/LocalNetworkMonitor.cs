using System.Threading.Channels;
using Rebound.Transport.Netlink;
using static Rebound.Sense.Netlink.NetlinkConstants;
using static Rebound.Transport.Netlink.NetlinkFraming;

namespace Rebound.Sense.Netlink;

/// <summary>
/// <see cref="ILocalNetworkMonitor"/> over rtnetlink: one full dump at start, then multicast notifications
/// applied to local tables; a full re-dump whenever notifications were lost (ENOBUFS, unparseable datagram).
/// Works in whatever network namespace its socket was created in.
/// </summary>
public sealed class LocalNetworkMonitor : ILocalNetworkMonitor
{
    private static readonly ushort[] DumpTypes = [RtmGetLink, RtmGetAddr, RtmGetRoute, RtmGetNeigh];

    private readonly Func<INetlinkTransport> _transportFactory;
    private readonly LocalNetworkMonitorOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly NetworkTables _tables = new();
    private readonly Channel<LocalNetworkChange> _changes;
    private readonly CancellationTokenSource _stopping = new();
    private readonly byte[] _buffer;
    private INetlinkTransport? _transport;
    private Task? _loop;
    private volatile LocalNetworkSnapshot _current = LocalNetworkSnapshot.Empty;
    private int _started;

    /// <summary>Monitors the caller's network namespace through a real rtnetlink <see cref="NetlinkSocket"/>.</summary>
    public LocalNetworkMonitor(LocalNetworkMonitorOptions? options = null, TimeProvider? timeProvider = null)
        : this(null, options, timeProvider)
    {
    }

    /// <summary>Monitors through transports made by <paramref name="transportFactory"/> (called again after a socket failure).</summary>
    public LocalNetworkMonitor(Func<INetlinkTransport>? transportFactory, LocalNetworkMonitorOptions? options = null, TimeProvider? timeProvider = null)
    {
        _options = options ?? new LocalNetworkMonitorOptions();
        _timeProvider = timeProvider ?? TimeProvider.System;
        _transportFactory = transportFactory ?? (() => NetlinkSocket.Open(NetlinkProtocol.Route, MonitorGroups, _options.SocketReceiveBufferBytes));
        _buffer = new byte[_options.DatagramBufferBytes];
        _changes = Channel.CreateBounded<LocalNetworkChange>(new BoundedChannelOptions(Math.Max(1, _options.ChangeQueueCapacity))
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleWriter = true,
        });
    }

    public LocalNetworkSnapshot Current => _current;

    public ChannelReader<LocalNetworkChange> Changes => _changes.Reader;

    /// <summary>Number of full dumps taken, including the initial one (diagnostics and tests).</summary>
    public int DumpCount { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("the monitor is already started");
        }

        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        _transport = _transportFactory();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        await DumpAsync(_transport, linked.Token);
        _current = _tables.BuildSnapshot(); // the first snapshot is the baseline, not a change
        _loop = Task.Run(() => ListenAsync(_stopping.Token), CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync();
        if (_loop is not null)
        {
            try
            {
                await _loop;
            }
            catch (OperationCanceledException)
            {
            }
        }

        _transport?.Dispose();
        _changes.Writer.TryComplete();
        _stopping.Dispose();
    }

    private async Task ListenAsync(CancellationToken stopping)
    {
        var resync = false;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                if (_transport is null)
                {
                    _transport = _transportFactory();
                    resync = true;
                }

                if (resync)
                {
                    resync = false;
                    await DumpAsync(_transport, stopping);
                    Publish();
                    continue;
                }

                var length = await _transport.ReceiveAsync(_buffer, stopping);
                var parsed = NetlinkCodec.Parse(_buffer.AsSpan(0, length));
                foreach (var message in parsed.Messages)
                {
                    _tables.Apply(message);
                    resync |= message is OverrunMessage or ErrorMessage { Errno: Enobufs };
                }

                // Lost or mangled notifications mean the tables may be wrong: publish only after a re-dump.
                resync |= !parsed.IsComplete || _tables.ResyncRequested;
                if (!resync)
                {
                    Publish();
                }
            }
            catch (NetlinkOverflowException) when (!stopping.IsCancellationRequested)
            {
                resync = true;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // the monitor must outlive any socket failure: reopen (which re-dumps) after a pause
            catch (Exception) when (!stopping.IsCancellationRequested)
#pragma warning restore CA1031
            {
                _transport?.Dispose();
                _transport = null;
                await Task.Delay(_options.ReopenDelay, _timeProvider, stopping);
            }
        }
    }

    private void Publish()
    {
        var before = _current;
        var after = _tables.BuildSnapshot();
        if (string.Equals(before.Fingerprint, after.Fingerprint, StringComparison.Ordinal))
        {
            return;
        }

        _current = after;
        if (string.Equals(before.Fingerprint, WithoutFirstLearnedMacs(before, after).Fingerprint, StringComparison.Ordinal))
        {
            // ARP resolving the gateway for the first time (after start, or after a gateway change that
            // was already reported) is not a change of network; only a different MAC is.
            return;
        }

        _changes.Writer.TryWrite(new LocalNetworkChange(before, after, LocalNetworkDiff.Describe(before, after)));
    }

    private static LocalNetworkSnapshot WithoutFirstLearnedMacs(LocalNetworkSnapshot before, LocalNetworkSnapshot after) =>
        new(after.Addresses, [.. after.DefaultRoutes.Select(r => before.DefaultRoutes.Any(b => b.GatewayMac is null && b == r with { GatewayMac = null })
            ? r with { GatewayMac = null }
            : r)]);

    /// <summary>
    /// Rebuilds every table from scratch, retrying while notifications are lost meanwhile.
    /// Notifications arriving during the dump are applied in socket order.
    /// </summary>
    private async Task DumpAsync(INetlinkTransport transport, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            _tables.Clear();
            var complete = true;
            foreach (var type in DumpTypes)
            {
                complete &= await DumpTableAsync(transport, type, cancellationToken);
            }

            if (complete)
            {
                DumpCount++;
                return;
            }

            if (attempt >= _options.MaxDumpAttempts)
            {
                throw new IOException($"rtnetlink dump lost notifications or was interrupted {attempt} times in a row");
            }
        }
    }

    /// <summary>
    /// Dumps one table and reads until its NLMSG_DONE. Returns false when the result cannot be trusted:
    /// the kernel flagged the dump inconsistent (NLM_F_DUMP_INTR) or notifications were dropped meanwhile.
    /// An overflow does not abort the read: the kernel keeps the dump running (it resumes once the queue drains),
    /// and starting another before this one ends would only earn EBUSY.
    /// </summary>
    private async Task<bool> DumpTableAsync(INetlinkTransport transport, ushort type, CancellationToken cancellationToken)
    {
        var sequence = transport.NextSequence();
        // A dump that never finishes (a kernel that dropped our request) must not wedge the monitor.
        using var timeout = new CancellationTokenSource(_options.DumpTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await transport.SendAsync(NetlinkCodec.CreateDumpRequest(type, sequence), linked.Token);
            var trustworthy = true;
            while (true)
            {
                int length;
                try
                {
                    length = await transport.ReceiveAsync(_buffer, linked.Token);
                }
                catch (NetlinkOverflowException)
                {
                    trustworthy = false;
                    continue;
                }

                var parsed = NetlinkCodec.Parse(_buffer.AsSpan(0, length));
                trustworthy &= parsed.IsComplete;
                foreach (var message in parsed.Messages)
                {
                    var ours = message.Header.Sequence == sequence && message.Header.PortId == transport.PortId;
                    if (!ours)
                    {
                        trustworthy &= message is not OverrunMessage;
                        _tables.Apply(message); // a notification racing the dump
                        continue;
                    }

                    trustworthy &= !message.Header.HasFlag(NlmFDumpIntr);
                    switch (message)
                    {
                        case DoneMessage { Errno: 0 }:
                            return trustworthy;
                        case DoneMessage done:
                            throw new IOException($"rtnetlink dump {type} failed with errno {done.Errno}");
                        case ErrorMessage { Errno: Enobufs }:
                            // The dump could not start with the queue full; it is still pending in the kernel.
                            trustworthy = false;
                            break;
                        case ErrorMessage { IsAcknowledgement: false } error:
                            throw new IOException($"rtnetlink dump {type} failed with errno {error.Errno}");
                        default:
                            _tables.Apply(message);
                            break;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new IOException($"rtnetlink dump {type} did not finish within {_options.DumpTimeout}");
        }
    }
}
