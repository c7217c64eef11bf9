using System.Net;
using System.Net.Sockets;
using System.Text;
using Rebound.Sense.Http;
using Rebound.Sense.Sources;

namespace Rebound.Sense.Gateway;

/// <summary>
/// UPnP IGD: reads the description for the WANIPConnection (or WANPPPConnection) control URL, then asks
/// GetExternalIPAddress over SOAP. The router's WAN address, so a hint only.
/// </summary>
public sealed class UpnpAddressSource : IAddressSource, IDisposable
{
    private const int MaxBody = 64 * 1024;
    private readonly UpnpSourceSpec _spec;
    private readonly TimeProvider _time;
    private readonly HttpClient _client;
    private (Uri Control, string ServiceType)? _control;

    public UpnpAddressSource(UpnpSourceSpec spec, TimeProvider time)
    {
        _spec = spec ?? throw new ArgumentNullException(nameof(spec));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            PooledConnectionLifetime = TimeSpan.Zero,
            ConnectCallback = (context, ct) => HttpWire.ConnectAsync(context, AddressFamily.InterNetwork, ct),
        };
        _client = new HttpClient(handler)
        {
            Timeout = Timeout.InfiniteTimeSpan,
            MaxResponseContentBufferSize = MaxBody,
        };
    }

    public string Name => _spec.Name;

    public AddressSourceKind Kind => AddressSourceKind.Upnp;

    public AddressFamily Family => AddressFamily.InterNetwork;

    /// <summary>Bytes are counted on the wire as TCP payload (the description, when fetched, and the SOAP exchange).</summary>
    public async Task<AddressAnswer> AskAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var wire = new WireCount();
        var answer = await ExchangeAsync(wire, timeout, cancellationToken); // its connections are closed by now
        return answer with { BytesSent = wire.Sent, BytesReceived = wire.Received };
    }

    private async Task<AddressAnswer> ExchangeAsync(WireCount wire, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        using var timer = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            if (_control is null)
            {
                using var get = new HttpRequestMessage(HttpMethod.Get, _spec.DescriptionUrl);
                get.Headers.ConnectionClose = true;
                HttpWire.Count(get, wire);
                using var described = await _client.SendAsync(get, linked.Token);
                var description = await described.EnsureSuccessStatusCode().Content.ReadAsStringAsync(linked.Token);
                _control = FindControl(description, _spec.DescriptionUrl);
                if (_control is null)
                {
                    return AddressAnswer.Failed("the IGD description has no WANIPConnection or WANPPPConnection service", _time.GetElapsedTime(started));
                }
            }

            var (control, serviceType) = _control.Value;
            var soap = $"""<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body><u:GetExternalIPAddress xmlns:u="{serviceType}"/></s:Body></s:Envelope>""";
            using var request = new HttpRequestMessage(HttpMethod.Post, control) { Content = new StringContent(soap, Encoding.UTF8, "text/xml") };
            request.Headers.TryAddWithoutValidation("SOAPAction", $"\"{serviceType}#GetExternalIPAddress\"");
            request.Headers.ConnectionClose = true;
            HttpWire.Count(request, wire);
            using var response = await _client.SendAsync(request, linked.Token);
            var body = await response.Content.ReadAsStringAsync(linked.Token);
            if (!response.IsSuccessStatusCode)
            {
                _control = null; // the router may have restarted on another port
                return AddressAnswer.Failed($"UPnP: HTTP {(int)response.StatusCode}", _time.GetElapsedTime(started));
            }

            var text = Element(body, "NewExternalIPAddress")?.Trim();
            return IPAddress.TryParse(text, out var address) && address.AddressFamily == AddressFamily.InterNetwork
                ? new AddressAnswer(address, _time.GetElapsedTime(started), null, null, 0, 0)
                : AddressAnswer.Failed(string.IsNullOrEmpty(text) ? "UPnP: the gateway reports no external address" : "UPnP: the external address is not an IPv4 address", _time.GetElapsedTime(started));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            return AddressAnswer.Failed($"no answer within {timeout.TotalMilliseconds:0} ms", _time.GetElapsedTime(started), timedOut: true);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or InvalidOperationException)
        {
            _control = null;
            return AddressAnswer.Failed($"UPnP: {ex.Message.ReplaceLineEndings(" ")}", _time.GetElapsedTime(started));
        }
    }

    public void Dispose() => _client.Dispose();

    /// <summary>The control URL and service type of the first WAN connection service in an IGD description.</summary>
    internal static (Uri Control, string ServiceType)? FindControl(string description, Uri baseUrl)
    {
        var at = 0;
        while ((at = description.IndexOf("<service>", at, StringComparison.OrdinalIgnoreCase)) >= 0)
        {
            var end = description.IndexOf("</service>", at, StringComparison.OrdinalIgnoreCase);
            if (end < 0)
            {
                break;
            }

            var service = description[at..end];
            at = end;
            var type = Element(service, "serviceType")?.Trim();
            var control = Element(service, "controlURL")?.Trim();
            if (type is not null && control is not null
                && (type.Contains(":WANIPConnection:", StringComparison.Ordinal) || type.Contains(":WANPPPConnection:", StringComparison.Ordinal))
                && Uri.TryCreate(baseUrl, control, out var url) && url.Scheme == Uri.UriSchemeHttp)
            {
                return (url, type);
            }
        }

        return null;
    }

    /// <summary>The text of the first element named <paramref name="name"/> (any namespace prefix), or null.</summary>
    internal static string? Element(string xml, string name)
    {
        var at = 0;
        while ((at = xml.IndexOf(name, at, StringComparison.Ordinal)) >= 0)
        {
            var open = xml.LastIndexOf('<', at);
            var close = xml.IndexOf('>', at);
            if (open >= 0 && close > at && xml[open + 1] != '/' && xml.AsSpan(open + 1, at - open - 1).IndexOfAny('<', '>', ' ') < 0 && xml[at + name.Length] is '>' or ' ')
            {
                var endTag = xml.IndexOf("</", close, StringComparison.Ordinal);
                return endTag < 0 ? null : xml[(close + 1)..endTag];
            }

            at += name.Length;
        }

        return null;
    }
}
