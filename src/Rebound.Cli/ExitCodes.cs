namespace Rebound.Cli;

/// <summary>Exit codes are part of the CLI contract (see README).</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>Something failed at run time: no server answered, a socket could not be opened.</summary>
    public const int RuntimeFailure = 1;

    /// <summary>Bad input: unknown option, bad value, unresolvable server. Nothing was done.</summary>
    public const int BadInput = 2;
}

/// <summary>Bad input found after parsing (e.g. a server name that does not resolve); becomes exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
