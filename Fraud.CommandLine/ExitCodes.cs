namespace Fraud.CommandLine;

/// <summary>What the exit code of every command-line verb of ours means (the producer's, the detector's, the load
/// tool's), so a script reads them the same way.</summary>
public static class ExitCodes
{
    /// <summary>Done, with all of the input.</summary>
    public const int Ok = 0;

    /// <summary>Done, but not with everything: input lines were invalid and skipped, messages were not acknowledged, or
    /// a load phase is incomplete. Each is reported on standard error or in the summary.</summary>
    public const int Partial = 1;

    /// <summary>Nothing done: bad arguments, or input that cannot be used (a missing file, an invalid model, rules or
    /// options, no broker at the address).</summary>
    public const int BadUsage = 2;

    /// <summary>What the command drives failed under it: the load tool's system did not start or failed during the run.</summary>
    public const int Failed = 3;

    /// <summary>Reports a usage problem on standard error.</summary>
    /// <returns><see cref="BadUsage"/>.</returns>
    public static int Usage(string problem)
    {
        Console.Error.WriteLine(problem);
        return BadUsage;
    }

    /// <summary><see cref="Ok"/> when no input line was skipped, else <see cref="Partial"/>.</summary>
    public static int ForSkipped(long skipped) => skipped == 0 ? Ok : Partial;
}
