namespace Rebound.Transport.Netlink;

/// <summary>The kernel dropped messages because our receive queue was full (ENOBUFS); only a full dump recovers.</summary>
public sealed class NetlinkOverflowException : IOException
{
    public NetlinkOverflowException()
        : base("netlink receive queue overflowed (ENOBUFS); notifications were lost")
    {
    }

    public NetlinkOverflowException(string message)
        : base(message)
    {
    }

    public NetlinkOverflowException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
