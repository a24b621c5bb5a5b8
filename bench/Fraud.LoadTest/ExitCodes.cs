namespace Fraud.LoadTest;

/// <summary>What the load tool's exit code means. Goals met or missed do not change it: timing is reported, not asserted.</summary>
internal static class ExitCodes
{
    /// <summary>Every phase ran to completion and its figures are complete.</summary>
    public const int Ok = 0;

    /// <summary>A phase is incomplete (the detector did not catch up, messages were lost or dropped, or the run was interrupted): its figures say which.</summary>
    public const int Incomplete = 1;

    /// <summary>Bad arguments.</summary>
    public const int BadUsage = 2;

    /// <summary>The system did not start (a resource never became healthy) or failed during the run.</summary>
    public const int SystemFailed = 3;

    /// <summary>Reports a usage problem on standard error.</summary>
    /// <returns><see cref="BadUsage"/>.</returns>
    public static int Usage(string problem)
    {
        Console.Error.WriteLine(problem);
        return BadUsage;
    }
}
