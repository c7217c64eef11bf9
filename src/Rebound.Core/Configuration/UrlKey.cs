namespace Rebound.Configuration;

/// <summary>
/// An absolute http:// or https:// URL. A URL may carry credentials, so a bad one is never quoted back; unless
/// <see cref="AllowUserInfo"/>, <c>user:password@</c> is refused (a password belongs in a secret key).
/// </summary>
public sealed class UrlKey(string name, string doc) : ConfigKey(name, doc)
{
    public Uri? Default { get; init; }

    public bool AllowUserInfo { get; init; }

    /// <summary>What the value should be, for "expected …".</summary>
    public string Expected { get; init; } = "an http:// or https:// URL";

    public override string Type => Expected;

    public override string? DefaultText => Default is null ? null : Toml(Default.ToString());

    /// <summary>The URL, else the default when the key is absent; null after a problem.</summary>
    internal Uri? Read(ConfigSection s)
    {
        var text = s.String(Name, Expected);
        if (text is null)
        {
            if (s.Node(Name) is null && Required)
                s.Problem(Name, $"{Expected} (missing)");
            return s.Node(Name) is null ? Default : null;
        }

        if (Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            && uri.Host.Length > 0 && (AllowUserInfo || string.IsNullOrEmpty(uri.UserInfo)))
        {
            return uri;
        }

        s.Problem(Name, AllowUserInfo ? Expected : $"{Expected} without user:password@");
        return null;
    }
}
