using System.Threading.Channels;

namespace Rebound.Cli.Serve;

/// <summary>
/// Fans events out to Server-Sent Events clients. <see cref="Publish"/> never waits: each client has a
/// bounded queue, and a client whose queue is full is dropped (it reconnects and re-reads the status).
/// </summary>
internal sealed class EventStreamHub(int queueCapacity)
{
    private readonly Lock _lock = new();
    private readonly List<Subscriber> _subscribers = [];

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _subscribers.Count;
            }
        }
    }

    /// <summary>Clients dropped for falling behind, since start.</summary>
    public long Dropped { get; private set; }

    public Subscriber Subscribe()
    {
        var subscriber = new Subscriber(this, Channel.CreateBounded<string>(new BoundedChannelOptions(queueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        }));
        lock (_lock)
        {
            _subscribers.Add(subscriber);
        }

        return subscriber;
    }

    public void Publish(string json)
    {
        lock (_lock)
        {
            for (int i = _subscribers.Count - 1; i >= 0; i--)
            {
                if (!_subscribers[i].Queue.Writer.TryWrite(json))
                {
                    _subscribers[i].Queue.Writer.TryComplete();
                    _subscribers.RemoveAt(i);
                    Dropped++;
                }
            }
        }
    }

    private void Remove(Subscriber subscriber)
    {
        lock (_lock)
        {
            _subscribers.Remove(subscriber);
        }
    }

    internal sealed class Subscriber(EventStreamHub hub, Channel<string> queue) : IDisposable
    {
        public Channel<string> Queue { get; } = queue;

        public void Dispose()
        {
            Queue.Writer.TryComplete();
            hub.Remove(this);
        }
    }
}
