namespace Rebound.Act.Notify;

/// <summary>What a notification says: a short title and one line per event (a digest has several).</summary>
public sealed record NotifyMessage(string Title, string Body);
