using Rebound.Act.Notify.Discord;
using Rebound.Act.Notify.Generic;
using Rebound.Act.Notify.Gotify;
using Rebound.Act.Notify.Ntfy;
using Rebound.Act.Notify.Slack;
using Rebound.Act.Notify.Smtp;
using Rebound.Act.Notify.Telegram;

namespace Rebound.Act.Notify;

/// <summary>Every notification service, by URL scheme: the reader, the README and <c>check-config</c> know them only here.</summary>
public static class NotifyServices
{
    public static IReadOnlyList<NotifyServiceDefinition> All { get; } =
    [
        new NtfyService(),
        new GotifyService(),
        new TelegramService(),
        new DiscordService(),
        new SlackService(),
        new SmtpService(),
        new GenericService("https"),
        new GenericService("http"),
    ];

    /// <summary>The endpoint for <paramref name="text"/>, or null with a problem that never quotes the URL.</summary>
    public static NotifyEndpoint? Parse(string text, out string? problem)
    {
        if (NotifyUrl.Parse(text, out problem) is not { } url)
            return null;
        var service = All.FirstOrDefault(s => s.Scheme == url.Scheme);
        if (service is null)
        {
            problem = $"a URL of {string.Join(", ", All.Select(s => s.Scheme + "://"))}; "
                + (url.Scheme.Length <= 16 && url.Scheme.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.') ? $"{url.Scheme}:// is unknown" : "its scheme is unknown");
            return null;
        }

        return service.Parse(url, out problem);
    }
}
