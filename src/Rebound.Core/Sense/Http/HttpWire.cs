using System.Net;
using System.Net.Sockets;

namespace Rebound.Sense.Http;

/// <summary>
/// The connection of an HTTP(S) question, for <see cref="SocketsHttpHandler.ConnectCallback"/>: a new TCP
/// connection over one family, whose bytes are counted as TCP payload (TLS handshake and records, request and
/// response headers, body; not TCP/IP headers), per request (redirects included) in the request's <see cref="WireCount"/>.
/// </summary>
internal static class HttpWire
{
    private static readonly HttpRequestOptionsKey<WireCount> CountKey = new("rebound-wire");

    /// <summary>Counts <paramref name="request"/>'s connections into <paramref name="count"/> (a fresh one when null).</summary>
    public static WireCount Count(HttpRequestMessage request, WireCount? count = null)
    {
        count ??= new WireCount();
        request.Options.Set(CountKey, count);
        return count;
    }

    public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, AddressFamily family, CancellationToken ct)
    {
        IPAddress target;
        if (IPAddress.TryParse(context.DnsEndPoint.Host, out var literal))
        {
            target = literal;
        }
        else
        {
            var addresses = await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, family, ct);
            target = addresses.Length > 0 ? addresses[0] : throw new HttpRequestException($"cannot resolve {context.DnsEndPoint.Host}: no {(family == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4")} address");
        }

        var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(target, context.DnsEndPoint.Port), ct);
            var stream = new NetworkStream(socket, ownsSocket: true);
            if (!context.InitialRequestMessage.Options.TryGetValue(CountKey, out var count))
            {
                return stream;
            }

            count.Remote = target;
            return new CountingStream(stream, count);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>A stream that adds what passes through it to a <see cref="WireCount"/>.</summary>
    private sealed class CountingStream(Stream inner, WireCount count) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int size) => count.AddReceived(inner.Read(buffer, offset, size));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            count.AddReceived(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int size, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, size), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int size)
        {
            inner.Write(buffer, offset, size);
            count.AddSent(size);
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await inner.WriteAsync(buffer, cancellationToken);
            count.AddSent(buffer.Length);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int size, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, size), cancellationToken).AsTask();

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync();
            await base.DisposeAsync();
        }
    }
}

/// <summary>TCP payload bytes of one HTTP question (all its connections), and the address last connected to.</summary>
internal sealed class WireCount
{
    private int _sent;
    private int _received;

    public int Sent => Volatile.Read(ref _sent);

    public int Received => Volatile.Read(ref _received);

    public IPAddress? Remote { get; set; }

    public void AddSent(int n) => Interlocked.Add(ref _sent, n);

    public int AddReceived(int n)
    {
        Interlocked.Add(ref _received, n);
        return n;
    }
}
