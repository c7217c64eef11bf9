namespace Rebound.Act.Ddns.Http;

/// <summary>A domain at a provider whose API takes one bearer token. ToString never shows the token.</summary>
public abstract class DdnsTokenApiOptions : DdnsApiOptions
{
    public required string Token { get; init; }

    internal override IReadOnlyList<string> Secrets => [Token];

    /// <summary>The provider's name in <see cref="ToString"/>.</summary>
    private protected abstract string Provider { get; }

    public override string ToString() => $"{Provider} {Api} domain {Domain} token {DdnsText.Redacted}";
}
