using System.Net;
using System.Text;
using Tomlyn.Syntax;

namespace Rebound.Configuration;

internal sealed partial class ConfigReader
{
    // A property, not a field: KnownWords (in ConfigReader.cs) reads it during static initialization,
    // and field initializers in different partial files run in no defined order.
    private static string[] HttpKeys => ["listen", "allow_remote", "control_socket"];

    private const string Off = "off";

    /// <summary>
    /// <c>[http]</c>: <c>listen = "127.0.0.1:9464"</c> (or "off"); a non-loopback address needs
    /// <c>allow_remote = true</c>, since the page and metrics have no authentication.
    /// <c>control_socket</c> defaults to control.sock in systemd's RuntimeDirectory when it sets one.
    /// </summary>
    private HttpConfig ReadHttp(Section? s)
    {
        IPEndPoint? listen = HttpConfig.DefaultListen;
        var controlSocket = DefaultControlSocket();
        if (s is null)
        {
            return new HttpConfig(listen, controlSocket);
        }

        const string listenExpected = "an IP address and port like \"127.0.0.1:9464\" or \"[::1]:9464\", or \"off\"";
        if (s.String("listen", listenExpected) is { } text)
        {
            if (text == Off)
                listen = null;
            else if (IPEndPoint.TryParse(text, out var parsed) && parsed.Port != 0 && text.Contains(':', StringComparison.Ordinal) && !text.EndsWith(']'))
                listen = parsed;
            else
                Problem(s.Node("listen")!, s.Key("listen"), $"{listenExpected}, found {Clip(text)}");
        }

        var allowRemote = false;
        s.MarkUsed("allow_remote");
        if (s.Node("allow_remote") is { } allowNode)
        {
            if (allowNode is TomlValueNode { Syntax: BooleanValueSyntax boolean })
                allowRemote = boolean.Value;
            else
                Problem(allowNode, s.Key("allow_remote"), $"true or false, found {allowNode.Describe()}");
        }

        if (listen is not null && !IPAddress.IsLoopback(listen.Address) && !allowRemote && s.Node("listen") is { } listenNode)
        {
            Problem(listenNode, s.Key("listen"), $"a loopback address, or allow_remote = true to serve status and metrics without authentication on {listen}");
        }

        if (s.String("control_socket", "an absolute path for the unix socket, or \"off\"") is { } socket)
        {
            if (socket == Off)
                controlSocket = null;
            else if (!Path.IsPathRooted(socket) || socket.EndsWith('/'))
                Problem(s.Node("control_socket")!, s.Key("control_socket"), $"an absolute path for the unix socket, or \"off\", found {Clip(socket)}");
            else if (Encoding.UTF8.GetByteCount(socket) > HttpConfig.MaxSocketPathBytes)
                Problem(s.Node("control_socket")!, s.Key("control_socket"), $"a path of at most {HttpConfig.MaxSocketPathBytes} bytes (a unix socket limit)");
            else
                controlSocket = socket;
        }

        s.RejectUnknown(HttpKeys);
        return new HttpConfig(listen, controlSocket);
    }

    private string? DefaultControlSocket() =>
        SystemdDirectories.Runtime(environment) is { } runtime ? Path.Combine(runtime, HttpConfig.ControlSocketName) : null;
}
