namespace Rebound.Act.Ddns;

/// <summary>
/// What one update attempt achieved. <see cref="Message"/> is one line for an admin and never contains a
/// secret: provider text is sanitised and has every configured secret redacted before it gets here.
/// </summary>
public sealed record DdnsUpdateResult
{
    private DdnsUpdateResult(DdnsOutcome outcome, string message, TimeSpan retryAfter)
    {
        Outcome = outcome;
        Message = message;
        RetryAfter = retryAfter;
    }

    public DdnsOutcome Outcome { get; }

    public string Message { get; }

    /// <summary>How long to wait before the next attempt; zero unless <see cref="Outcome"/> is RetryLater.</summary>
    public TimeSpan RetryAfter { get; }

    public bool Succeeded => Outcome is DdnsOutcome.Updated or DdnsOutcome.Unchanged;

    public static DdnsUpdateResult Updated(string message) => new(DdnsOutcome.Updated, message, TimeSpan.Zero);

    public static DdnsUpdateResult Unchanged(string message) => new(DdnsOutcome.Unchanged, message, TimeSpan.Zero);

    public static DdnsUpdateResult RetryLater(TimeSpan after, string reason) =>
        new(DdnsOutcome.RetryLater, reason, after < TimeSpan.Zero ? TimeSpan.Zero : after);

    public static DdnsUpdateResult Fatal(string reason) => new(DdnsOutcome.Fatal, reason, TimeSpan.Zero);

    public override string ToString() => Outcome switch
    {
        DdnsOutcome.RetryLater => $"retry in {Configuration.ConfigDuration.Format(RetryAfter, roundUpToSeconds: true)}: {Message}",
        DdnsOutcome.Fatal => $"fatal: {Message}",
        DdnsOutcome.Unchanged => $"unchanged: {Message}",
        _ => $"updated: {Message}",
    };
}
