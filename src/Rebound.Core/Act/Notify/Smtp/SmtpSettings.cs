namespace Rebound.Act.Notify.Smtp;

/// <summary>A parsed <c>smtp://</c> URL. <see cref="Credentials"/> holds the password: never in a message.</summary>
public sealed record SmtpSettings(
    string Host,
    int Port,
    SmtpEncryption Encryption,
    (string User, string Password)? Credentials,
    string From,
    IReadOnlyList<string> To,
    string? Subject,
    string? FromName,
    string ClientHost)
{
    public override string ToString() => $"smtp {Host}:{Port}";
}
