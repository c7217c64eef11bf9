namespace Rebound.Act.Notify.Smtp;

/// <summary>How the SMTP connection is protected (shoutrrr's <c>encryption</c> values).</summary>
public enum SmtpEncryption
{
    /// <summary>STARTTLS when the server offers it, TLS from the start on port 465, else plain.</summary>
    Auto,
    None,

    /// <summary>STARTTLS, required.</summary>
    ExplicitTls,

    /// <summary>TLS from the first byte (port 465).</summary>
    ImplicitTls,
}

/// <summary>
/// E-mail: <c>smtp://[user:password@]host[:port]/?from=…&amp;to=a,b</c>, with shoutrrr's <c>subject</c>,
/// <c>fromname</c>, <c>clienthost</c>, <c>encryption</c> (None, ExplicitTLS, ImplicitTLS, Auto), <c>usestarttls</c> and
/// <c>auth</c> (None, Plain, Unknown). Port 25 by default. A password is only ever sent inside TLS.
/// </summary>
public sealed class SmtpService : NotifyServiceDefinition
{
    public const int DefaultPort = 25;

    public override string Scheme => "smtp";

    public override string Form => "smtp://[user:password@]host[:port]/?from=ADDRESS&to=ADDRESS[,ADDRESS][&subject=…&encryption=Auto]";

    public override string Example => "smtp://rebound:s3cret@mail.example.net:587/?from=rebound@example.net&to=ops@example.net";

    public override NotifyEndpoint? Parse(NotifyUrl url, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(url);
        problem = Unknown(url, "from", "to", "subject", "title", "fromname", "clienthost", "encryption", "usestarttls", "auth", "usehtml");
        if (problem is not null)
            return null;
        if (url.Host.Length == 0 || url.Path.Count > 0)
        {
            problem = "smtp://[user:password@]host[:port]/?from=…&to=… (no host)";
            return null;
        }

        var from = url.Param("from");
        var to = (url.Param("to") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (from is null || !IsAddress(from) || to.Length == 0 || !to.All(IsAddress))
        {
            problem = "smtp:// from=ADDRESS and to=ADDRESS[,ADDRESS] (each like name@example.net)";
            return null;
        }

        SmtpEncryption? encryption = (url.Param("encryption") ?? "auto").ToLowerInvariant() switch
        {
            "auto" => SmtpEncryption.Auto,
            "none" => SmtpEncryption.None,
            "explicittls" => SmtpEncryption.ExplicitTls,
            "implicittls" => SmtpEncryption.ImplicitTls,
            _ => null,
        };
        var startTls = YesNo(url.Param("usestarttls"));
        var auth = (url.Param("auth") ?? "unknown").ToLowerInvariant();
        if (encryption is null || (url.Param("usestarttls") is not null && startTls is null) || auth is not ("none" or "plain" or "unknown"))
        {
            problem = "smtp:// encryption=None|ExplicitTLS|ImplicitTLS|Auto, usestarttls=yes|no, auth=None|Plain|Unknown (CRAMMD5 and OAuth2 are not supported)";
            return null;
        }

        if (YesNo(url.Param("usehtml")) == true)
        {
            problem = "smtp:// usehtml=no (messages are plain text)";
            return null;
        }

        if (startTls == false && encryption == SmtpEncryption.Auto)
            encryption = SmtpEncryption.None;
        var credentials = auth != "none" && url.User is { Length: > 0 } user ? (user, url.Password ?? "") : ((string, string)?)null;
        return new SmtpEndpoint(new SmtpSettings(
            url.Host.Trim('[', ']'), url.Port ?? DefaultPort, encryption.Value, credentials, from, to,
            url.Param("subject") ?? url.Param("title"), url.Param("fromname"), url.Param("clienthost") ?? "localhost"));
    }

    private static bool IsAddress(string text) =>
        text.Length <= 254 && text.IndexOf('@', StringComparison.Ordinal) is > 0 and var at && at < text.Length - 1
        && !text.Any(c => c is '<' or '>' or ' ' or '\r' or '\n' or ',' || char.IsControl(c));

    private sealed class SmtpEndpoint(SmtpSettings settings) : NotifyEndpoint
    {
        public override string Service => "smtp";

        public override string Label => $"smtp ({settings.Host}:{settings.Port})";

        public override Task SendAsync(NotifyMessage message, NotifyContext context, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(message);
            ArgumentNullException.ThrowIfNull(context);
            return new SmtpSender(settings, context.Time).SendAsync(message, cancellationToken);
        }
    }
}
