using System.Net.Sockets;
using Rebound.Cli.Serve;

namespace Rebound.Tests.Serve;

public sealed class UnixSocketFileTests
{
    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Only_a_socket_itself_counts_not_a_regular_file_a_directory_a_symlink_or_nothing()
    {
        var directory = Directory.CreateTempSubdirectory("rebound-sockfile-");
        try
        {
            // .NET unlinks a socket's file when the socket is disposed: move it away first, as a crashed agent's would stay.
            var socketPath = Path.Combine(directory.FullName, "s.sock");
            using (var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
            {
                socket.Bind(new UnixDomainSocketEndPoint(socketPath + ".tmp"));
                File.Move(socketPath + ".tmp", socketPath);
            }

            var file = Path.Combine(directory.FullName, "file");
            File.WriteAllText(file, "x");
            var link = Path.Combine(directory.FullName, "link");
            File.CreateSymbolicLink(link, socketPath);

            Assert.True(UnixSocketFile.IsSocket(socketPath));
            Assert.False(UnixSocketFile.IsSocket(file));
            Assert.False(UnixSocketFile.IsSocket(directory.FullName));
            Assert.False(UnixSocketFile.IsSocket(link));
            Assert.False(UnixSocketFile.IsSocket(Path.Combine(directory.FullName, "missing")));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
