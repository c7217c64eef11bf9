using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace Rebound.Act.Notify.Smtp;

/// <summary>
/// One SMTP transaction (RFC 5321): greeting, EHLO, STARTTLS when wanted, AUTH PLAIN only inside TLS, MAIL, RCPT per
/// recipient, DATA with dot-stuffing, QUIT. A 4xx reply is transient, a 5xx permanent; errors name the command and
/// the reply code, never the server's text (it may echo an address) or the password.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "One transaction per instance: SendAsync disposes the stream it opened.")]
internal sealed class SmtpSender(SmtpSettings settings, TimeProvider time)
{
    private readonly byte[] _buffer = new byte[4096];
    private int _start;
    private int _end;
    private Stream _stream = Stream.Null;

    public async Task SendAsync(NotifyMessage message, CancellationToken cancellationToken)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(settings.Host, settings.Port, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            throw new NotifyException($"cannot connect to {settings.Host}:{settings.Port} ({ex.SocketErrorCode})", transient: true);
        }

        _stream = new NetworkStream(socket, ownsSocket: false);
        try
        {
            if (settings.Encryption == SmtpEncryption.ImplicitTls || (settings.Encryption == SmtpEncryption.Auto && settings.Port == 465))
                await StartTlsAsync(cancellationToken).ConfigureAwait(false);
            await ExpectAsync("greeting", 220, cancellationToken).ConfigureAwait(false);
            var extensions = await EhloAsync(cancellationToken).ConfigureAwait(false);
            bool tls = _stream is SslStream;
            if (!tls && settings.Encryption != SmtpEncryption.None && (settings.Encryption == SmtpEncryption.ExplicitTls || extensions.Contains("STARTTLS")))
            {
                await CommandAsync("STARTTLS", "STARTTLS", 220, cancellationToken).ConfigureAwait(false);
                await StartTlsAsync(cancellationToken).ConfigureAwait(false);
                tls = true;
                extensions = await EhloAsync(cancellationToken).ConfigureAwait(false);
            }

            if (settings.Credentials is { } credentials)
            {
                if (!tls)
                    throw new NotifyException($"{settings.Host} offers no TLS; the password is not sent in the clear", transient: false);
                var plain = Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{credentials.User}\0{credentials.Password}"));
                await CommandAsync("AUTH", "AUTH PLAIN " + plain, 235, cancellationToken).ConfigureAwait(false);
            }

            await CommandAsync("MAIL FROM", $"MAIL FROM:<{settings.From}>", 250, cancellationToken).ConfigureAwait(false);
            foreach (var to in settings.To)
                await CommandAsync("RCPT TO", $"RCPT TO:<{to}>", 250, cancellationToken).ConfigureAwait(false);
            await CommandAsync("DATA", "DATA", 354, cancellationToken).ConfigureAwait(false);
            await WriteAsync(Mail(message), cancellationToken).ConfigureAwait(false);
            await ExpectAsync("end of DATA", 250, cancellationToken).ConfigureAwait(false);
            await WriteAsync("QUIT\r\n", cancellationToken).ConfigureAwait(false);
        }
        catch (IOException)
        {
            throw new NotifyException($"connection to {settings.Host}:{settings.Port} lost", transient: true);
        }
        catch (System.Security.Authentication.AuthenticationException)
        {
            throw new NotifyException($"TLS with {settings.Host} failed (certificate or handshake)", transient: false);
        }
        finally
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The message: headers, a blank line, the body with CRLF line ends, dot-stuffed, and the final dot.</summary>
    internal string Mail(NotifyMessage message)
    {
        var ascii = message.Body.All(c => c < 128) && (settings.Subject ?? message.Title).All(c => c < 128);
        var sb = new StringBuilder();
        var fromName = settings.FromName is { } name ? $"{Header(name)} " : "";
        sb.Append(CultureInfo.InvariantCulture, $"From: {fromName}<{settings.From}>\r\n");
        sb.Append(CultureInfo.InvariantCulture, $"To: {string.Join(", ", settings.To.Select(t => $"<{t}>"))}\r\n");
        sb.Append(CultureInfo.InvariantCulture, $"Subject: {Header(settings.Subject ?? message.Title)}\r\n");
        sb.Append(CultureInfo.InvariantCulture, $"Date: {time.GetUtcNow().ToString("r", CultureInfo.InvariantCulture)}\r\n");
        sb.Append(CultureInfo.InvariantCulture, $"Message-ID: <{Guid.NewGuid():N}@{settings.ClientHost}>\r\n");
        sb.Append("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n");
        if (ascii)
        {
            sb.Append("Content-Transfer-Encoding: 7bit\r\n\r\n");
            foreach (var line in message.Body.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
                sb.Append(line.StartsWith('.') ? "." : "").Append(line).Append("\r\n");
        }
        else
        {
            sb.Append("Content-Transfer-Encoding: base64\r\n\r\n");
            var b64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(message.Body.Replace("\n", "\r\n", StringComparison.Ordinal)));
            for (int i = 0; i < b64.Length; i += 76)
                sb.Append(b64.AsSpan(i, Math.Min(76, b64.Length - i))).Append("\r\n");
        }

        return sb.Append(".\r\n").ToString();
    }

    private static string Header(string text)
    {
        var clean = string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries));
        return clean.All(c => c is >= ' ' and <= '~') ? clean : $"=?utf-8?B?{Convert.ToBase64String(Encoding.UTF8.GetBytes(clean))}?=";
    }

    private async Task<HashSet<string>> EhloAsync(CancellationToken cancellationToken)
    {
        await WriteAsync($"EHLO {settings.ClientHost}\r\n", cancellationToken).ConfigureAwait(false);
        var (code, lines) = await ReadReplyAsync(cancellationToken).ConfigureAwait(false);
        if (code != 250)
            throw Refused("EHLO", code);
        return [.. lines.Skip(1).Select(l => l.Split(' ')[0].ToUpperInvariant())];
    }

    private async Task CommandAsync(string what, string command, int expected, CancellationToken cancellationToken)
    {
        await WriteAsync(command + "\r\n", cancellationToken).ConfigureAwait(false);
        await ExpectAsync(what, expected, cancellationToken).ConfigureAwait(false);
    }

    private async Task ExpectAsync(string what, int expected, CancellationToken cancellationToken)
    {
        var (code, _) = await ReadReplyAsync(cancellationToken).ConfigureAwait(false);
        if (code != expected)
            throw Refused(what, code);
    }

    private NotifyException Refused(string what, int code) =>
        new($"{settings.Host} answered {what} with {code}", transient: code is >= 400 and < 500, status: code);

    private async Task StartTlsAsync(CancellationToken cancellationToken)
    {
        if (_start != _end)
            throw new NotifyException($"{settings.Host} sent data before the TLS handshake", transient: false);
        var ssl = new SslStream(_stream, leaveInnerStreamOpen: false);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = settings.Host }, cancellationToken).ConfigureAwait(false);
        _stream = ssl;
    }

    private async Task WriteAsync(string text, CancellationToken cancellationToken)
    {
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken).ConfigureAwait(false);
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A reply: its code and its lines without the code (<c>250-…</c> continues, <c>250 …</c> ends).</summary>
    private async Task<(int Code, List<string> Lines)> ReadReplyAsync(CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        while (true)
        {
            var line = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (line.Length < 3 || !int.TryParse(line.AsSpan(0, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var code))
                throw new NotifyException($"{settings.Host} does not speak SMTP", transient: false);
            lines.Add(line.Length > 4 ? line[4..] : "");
            if (line.Length == 3 || line[3] != '-')
                return (code, lines);
            if (lines.Count > 100)
                throw new NotifyException($"{settings.Host} sent an endless reply", transient: false);
        }
    }

    private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        var line = new List<byte>();
        while (true)
        {
            if (_start == _end)
            {
                _start = 0;
                _end = await _stream.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
                if (_end == 0)
                    throw new IOException("closed");
            }

            var b = _buffer[_start++];
            if (b == '\n')
                return Encoding.UTF8.GetString([.. line]).TrimEnd('\r');
            if (line.Count > 2048)
                throw new NotifyException($"{settings.Host} sent an overlong line", transient: false);
            line.Add(b);
        }
    }
}
