namespace Rebound.Record;

/// <summary>Something the agent itself did that belongs in the journal. <see cref="Message"/> is one line without secrets.</summary>
public abstract record AgentNotice(DateTimeOffset Time, string Message) : ReboundEvent(Time);

/// <summary>SIGHUP: the new configuration file is valid and replaces the running one.</summary>
public sealed record ConfigReloaded(DateTimeOffset Time, string Message) : AgentNotice(Time, Message);

/// <summary>SIGHUP with a file that is invalid or cannot start: the running (or previous) configuration stays.</summary>
public sealed record ConfigRejected(DateTimeOffset Time, string Message) : AgentNotice(Time, Message);
