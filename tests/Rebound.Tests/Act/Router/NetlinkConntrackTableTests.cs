using System.Net;
using Rebound.Act.Router;
using Rebound.Transport.Netlink;

namespace Rebound.Tests.Act.Router;

/// <summary>
/// NetlinkConntrackTable over a fake transport that answers as the kernel did when <see cref="ConntrackVectors.Dump"/>
/// was captured: the dump with the request's sequence number, and an acknowledgement per delete.
/// </summary>
public sealed class NetlinkConntrackTableTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Deleting_sends_one_delete_per_translated_entry_with_its_id_and_counts_the_acknowledgements()
    {
        var kernel = new FakeCtnetlinkKernel();
        var table = new NetlinkConntrackTable(() => kernel);

        var result = await table.DeleteTranslatedToAsync(IPAddress.Parse("198.51.100.2"), Ct);

        Assert.Equal(new ConntrackFlushResult(1, "ctnetlink"), result);
        var delete = Assert.Single(kernel.Requests, r => r.Header.Type == ConntrackConstants.CtDelete);
        Assert.Equal(ConntrackDeleteRequest.Create(ConntrackCodec.Parse(ConntrackVectors.Dump).Entries.Single(e => e.Id == ConntrackVectors.UdpId), delete.Header.Sequence), delete.Bytes);
        Assert.Equal(kernel.Requests.Select(r => r.Header.Sequence).Distinct().Count(), kernel.Requests.Count);
        Assert.True(kernel.Disposed);
    }

    [Fact]
    public async Task Lost_messages_during_a_dump_are_a_conntrack_exception_not_a_silent_short_count()
    {
        var kernel = new FakeCtnetlinkKernel { OverflowOnDump = true };
        var table = new NetlinkConntrackTable(() => kernel);

        var failure = await Assert.ThrowsAsync<ConntrackException>(async () => await table.CountTranslatedToAsync(IPAddress.Parse("198.51.100.2"), Ct));

        Assert.StartsWith("ctnetlink receive failed: ", failure.Message, StringComparison.Ordinal);
    }

    private sealed class FakeCtnetlinkKernel : INetlinkTransport
    {
        private readonly Queue<object> _replies = new();
        private uint _sequence = 100;

        public List<(NetlinkHeader Header, byte[] Bytes)> Requests { get; } = [];

        public bool OverflowOnDump { get; init; }

        public bool Disposed { get; private set; }

        public uint PortId => 0x2638;

        public uint NextSequence() => ++_sequence;

        public ValueTask SendAsync(ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
        {
            var header = NetlinkHeader.Read(request.Span);
            Requests.Add((header, request.ToArray()));
            if (header.Type == ConntrackConstants.CtGet)
            {
                if (OverflowOnDump)
                {
                    _replies.Enqueue(new NetlinkOverflowException());
                    return ValueTask.CompletedTask;
                }

                var dump = ConntrackVectors.Dump;
                var reader = new NetlinkMessageReader(dump);
                var offset = 0;
                while (reader.Next(out var reply, out _))
                {
                    (reply with { Sequence = header.Sequence }).Write(dump.AsSpan(offset));
                    offset += NetlinkFraming.Align((int)reply.Length);
                }

                _replies.Enqueue(dump);
            }
            else
            {
                var ack = new byte[NetlinkHeader.Size + 4 + NetlinkHeader.Size];
                new NetlinkHeader((uint)ack.Length, NetlinkFraming.NlmsgError, 0, header.Sequence, PortId).Write(ack);
                header.Write(ack.AsSpan(NetlinkHeader.Size + 4)); // errno 0, then the request's header
                _replies.Enqueue(ack);
            }

            return ValueTask.CompletedTask;
        }

        public ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
        {
            var reply = _replies.Dequeue();
            if (reply is Exception ex)
                throw ex;
            var bytes = (byte[])reply;
            bytes.CopyTo(buffer);
            return ValueTask.FromResult(bytes.Length);
        }

        public void Dispose() => Disposed = true;
    }
}
