namespace Rebound.Configuration;

/// <summary>
/// A password or token from the configuration. <see cref="ToString"/> is always <c>***</c>; the value is only
/// reachable through <see cref="Reveal"/>, so it cannot end up in a log line by accident.
/// </summary>
public sealed class Secret
{
    public const string Redacted = "***";

    private readonly string _value;

    public Secret(string value, string source)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        ArgumentNullException.ThrowIfNull(source);
        _value = value;
        Source = source;
    }

    /// <summary>Where the secret came from, without the value: <c>inline</c>, <c>file /etc/x</c> or <c>env NAME</c>.</summary>
    public string Source { get; }

    /// <summary>The secret itself. Call only where it is handed to the provider.</summary>
    public string Reveal() => _value;

    public override string ToString() => Redacted;
}
