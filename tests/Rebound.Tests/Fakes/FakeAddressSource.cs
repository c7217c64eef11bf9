using System.Net;
using System.Net.Sockets;
using Rebound.Sense.Sources;

namespace Rebound.Tests.Fakes;

/// <summary>
/// A fake HTTP/DNS/gateway source answering what the test scripted for its name in a <see cref="ScriptedStunProber"/>
/// (null: silence, as a timeout). Counts its questions. Never kinder than a real one: a timeout is reported as such.
/// </summary>
internal sealed class FakeAddressSource(AddressSourceSpec spec, ScriptedStunProber script) : IAddressSource
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public string Name => spec.Name;

    public AddressSourceKind Kind => spec.Kind;

    public AddressFamily Family => spec.Family;

    /// <summary>The address the fake server "is" (public unless set): an answer is checked against it.</summary>
    public IPAddress? ServerAddress { get; init; }

    /// <summary>Its name does not resolve (offline): fails at once, nothing asked.</summary>
    public bool Unresolvable { get; init; }

    public Task<AddressAnswer> AskAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Increment(ref _calls);
        if (Unresolvable)
        {
            return Task.FromResult(AddressAnswer.Failed($"cannot resolve {spec.Name}: Name or service not known"));
        }

        var address = script.AnswerFor(spec.Name);
        return Task.FromResult(address is null
            ? AddressAnswer.Failed($"no answer within {timeout.TotalMilliseconds:0} ms", timeout, ServerAddress, timedOut: true)
            : new AddressAnswer(address, TimeSpan.FromMilliseconds(5), null, ServerAddress, 100, 15));
    }
}
