namespace Rebound.Decide;

public enum WanStatus
{
    /// <summary>Nothing confirmed yet.</summary>
    Unknown,

    /// <summary>Servers answer and agree on <see cref="WanFamilyTracker.Current"/>.</summary>
    Up,

    /// <summary>No server has answered for <see cref="WanWatcherOptions.LossRounds"/> rounds.</summary>
    Lost,
}
