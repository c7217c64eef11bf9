using System.Runtime.InteropServices;

namespace Rebound.Transport.Netlink;

/// <summary>libc calls the managed Socket API cannot make for AF_NETLINK (it rejects the family and its endpoints).</summary>
internal static unsafe partial class NetlinkNative
{
    internal const int AfNetlink = 16;
    internal const int SockRaw = 3;
    internal const int SockCloexec = 0x80000;
    internal const int SolSocket = 1;
    internal const int SoRcvbuf = 8;
    internal const int SoRcvbufforce = 33;
    internal const int Eintr = 4;

    /// <summary>struct sockaddr_nl: family u16, pad u16, pid u32, groups u32 (12 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct SockaddrNl
    {
        public ushort Family;
        public ushort Pad;
        public uint Pid;
        public uint Groups;
    }

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    internal static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "bind", SetLastError = true)]
    internal static partial int Bind(int fd, SockaddrNl* address, int addressLength);

    [LibraryImport("libc", EntryPoint = "getsockname", SetLastError = true)]
    internal static partial int GetSockName(int fd, SockaddrNl* address, int* addressLength);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    internal static partial int SetSockOpt(int fd, int level, int option, int* value, int valueLength);

    [LibraryImport("libc", EntryPoint = "sendto", SetLastError = true)]
    internal static partial nint SendTo(int fd, byte* buffer, nuint length, int flags, SockaddrNl* address, int addressLength);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);
}
