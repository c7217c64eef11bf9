using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Rebound.Lab.Tests.Harness;

/// <summary>
/// An HttpClient of this test process whose connections start inside one of the lab's namespaces (the
/// socket is created there and stays there), so that .NET's own HTTP and TLS stack talks to the lab's servers.
/// </summary>
public static class LabHttp
{
    /// <summary>
    /// A client connecting from <paramref name="where"/> ("lan", ...). With <paramref name="trust"/>, server
    /// certificates must chain to exactly that CA (as with SSL_CERT_FILE); without it, to the system's CAs.
    /// </summary>
    public static HttpClient Client(FailoverLab lab, string where, X509Certificate2? trust = null)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = async (context, token) =>
            {
                var family = IPAddress.TryParse(context.DnsEndPoint.Host.Trim('[', ']'), out var address)
                    ? address.AddressFamily
                    : AddressFamily.InterNetwork;
                var socket = lab.InNamespace(where, () => new Socket(family, SocketType.Stream, ProtocolType.Tcp));
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, token);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        if (trust is not null)
        {
            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            policy.CustomTrustStore.Add(trust);
            handler.SslOptions = new SslClientAuthenticationOptions { CertificateChainPolicy = policy };
        }

        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(5) };
    }
}
