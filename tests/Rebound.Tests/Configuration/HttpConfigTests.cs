using System.Net;
using Rebound.Configuration;

namespace Rebound.Tests.Configuration;

public class HttpConfigTests
{
    private static readonly Func<string, string?> NoEnvironment = _ => null;

    private static HttpConfig Read(string toml, Func<string, string?>? environment = null)
    {
        var result = ConfigLoader.Parse(toml, "rebound.toml", environment ?? NoEnvironment);
        Assert.True(result.Config is not null, string.Join("\n", result.Problems));
        return result.Config.Http;
    }

    private static string Problem(string toml)
    {
        var result = ConfigLoader.Parse(toml, "rebound.toml", NoEnvironment);
        return Assert.Single(result.Problems).ToString();
    }

    [Fact]
    public void Without_a_table_the_agent_listens_on_loopback_9464_and_has_no_control_socket()
    {
        var http = Read("");

        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 9464), http.Listen);
        Assert.Null(http.ControlSocket);
    }

    [Fact]
    public void Under_systemd_the_control_socket_defaults_to_the_runtime_directory()
    {
        var http = Read("", name => name == "RUNTIME_DIRECTORY" ? "/run/rebound" : null);

        Assert.Equal("/run/rebound/control.sock", http.ControlSocket);
    }

    [Fact]
    public void Listen_and_control_socket_are_read()
    {
        var http = Read("[http]\nlisten = \"[::1]:9000\"\ncontrol_socket = \"/run/rb/ctl.sock\"\n");

        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 9000), http.Listen);
        Assert.Equal("/run/rb/ctl.sock", http.ControlSocket);
    }

    [Fact]
    public void Off_disables_either_listener()
    {
        var http = Read("[http]\nlisten = \"off\"\ncontrol_socket = \"off\"\n", name => name == "RUNTIME_DIRECTORY" ? "/run/rebound" : null);

        Assert.Null(http.Listen);
        Assert.Null(http.ControlSocket);
    }

    [Fact]
    public void A_non_loopback_address_needs_allow_remote()
    {
        Assert.Equal(
            "rebound.toml:2: http.listen: expected a loopback address, or allow_remote = true to serve status and metrics without authentication on 0.0.0.0:9464",
            Problem("[http]\nlisten = \"0.0.0.0:9464\"\n"));
        Assert.Equal(IPAddress.Any, Read("[http]\nlisten = \"0.0.0.0:9464\"\nallow_remote = true\n").Listen!.Address);
    }

    [Theory]
    [InlineData("listen = \"localhost:9464\"", "http.listen: expected an IP address and port")]
    [InlineData("listen = \"127.0.0.1\"", "http.listen: expected an IP address and port")]
    [InlineData("listen = \"127.0.0.1:0\"", "http.listen: expected an IP address and port")]
    [InlineData("listen = 9464", "http.listen: expected an IP address and port")]
    [InlineData("allow_remote = \"yes\"", "http.allow_remote: expected true or false")]
    [InlineData("control_socket = \"run/x.sock\"", "http.control_socket: expected an absolute path")]
    [InlineData("port = 1", "http.port: expected a known key (listen, allow_remote, control_socket)")]
    public void Bad_values_are_one_line_problems_with_the_line(string line, string expected)
    {
        var problem = Problem($"[http]\n{line}\n");

        Assert.StartsWith($"rebound.toml:2: {expected}", problem, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', problem);
    }

    [Fact]
    public void A_control_socket_path_longer_than_sun_path_is_refused()
    {
        Assert.Contains("at most 107 bytes", Problem($"[http]\ncontrol_socket = \"/{new string('a', 120)}\"\n"), StringComparison.Ordinal);
    }
}
