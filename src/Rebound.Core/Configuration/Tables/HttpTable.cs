using System.Net;
using System.Text;

namespace Rebound.Configuration;

/// <summary>
/// <c>[http]</c>: the status page, metrics, event stream and control socket. A non-loopback listener needs
/// <c>allow_remote = true</c>, since nothing there asks for a password.
/// </summary>
public sealed class HttpTable : ConfigTable
{
    private const string Off = "off";

    public static readonly HttpTable Instance = new();

    public CustomKey Listen { get; } = new(
        "listen",
        "Where the status page, /metrics, /events and /journal.json are served, or \"off\"",
        "an IP address and port, or \"off\"")
    {
        Default = ConfigKey.Toml(HttpConfig.DefaultListen.ToString()),
    };

    public BoolKey AllowRemote { get; } = new("allow_remote", "Allow a listen address other than loopback: status and metrics then have no authentication", false);

    public CustomKey ControlSocket { get; } = new(
        "control_socket",
        $"The unix socket 'rebound status' asks (mode 0660), or \"off\"; default {HttpConfig.ControlSocketName} in $RUNTIME_DIRECTORY from systemd, else none",
        "an absolute path, or \"off\"")
    {
        Example = ConfigKey.Toml("/run/rebound/" + HttpConfig.ControlSocketName),
    };

    public override string Name => "http";

    public override string Description =>
        "The status page, /metrics (Prometheus), live events and the control socket 'rebound status' uses.";

    public override IReadOnlyList<ConfigKey> Keys => [Listen, AllowRemote, ControlSocket];

    internal HttpConfig Read(ConfigSection s)
    {
        IPEndPoint? listen = HttpConfig.DefaultListen;
        const string listenExpected = "an IP address and port like \"127.0.0.1:9464\" or \"[::1]:9464\", or \"off\"";
        if (s.String(Listen.Name, listenExpected) is { } text)
        {
            if (text == Off)
                listen = null;
            else if (HostPort.TryParse(text, defaultPort: null, out var parsed, out _) && parsed.Literal is { } address)
                listen = new IPEndPoint(address, parsed.Port);
            else
                s.Problem(Listen.Name, $"{listenExpected}, found {ConfigReader.Clip(text)}");
        }

        var allowRemote = AllowRemote.Read(s);
        if (listen is not null && !IPAddress.IsLoopback(listen.Address) && !allowRemote && s.Node(Listen.Name) is not null)
            s.Problem(Listen.Name, $"a loopback address, or allow_remote = true to serve status and metrics without authentication on {listen}");

        var controlSocket = SystemdDirectories.Runtime(s.Reader.Environment) is { } runtime ? Path.Combine(runtime, HttpConfig.ControlSocketName) : null;
        const string socketExpected = "an absolute path for the unix socket, or \"off\"";
        if (s.String(ControlSocket.Name, socketExpected) is { } socket)
        {
            if (socket == Off)
                controlSocket = null;
            else if (!Path.IsPathRooted(socket) || socket.EndsWith('/'))
                s.Problem(ControlSocket.Name, $"{socketExpected}, found {ConfigReader.Clip(socket)}");
            else if (Encoding.UTF8.GetByteCount(socket) > HttpConfig.MaxSocketPathBytes)
                s.Problem(ControlSocket.Name, $"a path of at most {HttpConfig.MaxSocketPathBytes} bytes (a unix socket limit)");
            else
                controlSocket = socket;
        }

        s.RejectUnknown(Keys);
        return new HttpConfig(listen, controlSocket);
    }

    internal static string Describe(HttpConfig http) =>
        $"http: {(http.Listen is { } listen ? $"status page and metrics on {listen}" : "no listener")}; "
        + (http.ControlSocket is { } socket ? $"control socket {socket}" : "no control socket");
}
