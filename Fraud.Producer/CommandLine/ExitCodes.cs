namespace Fraud.Producer.CommandLine;

/// <summary>What a verb's exit code means.</summary>
internal static class ExitCodes
{
    /// <summary>Everything was written or delivered.</summary>
    public const int Ok = 0;

    /// <summary>Partly done: input lines were skipped, or messages were not acknowledged by the broker.</summary>
    public const int Partial = 1;

    /// <summary>Nothing done: bad arguments, an unreadable input, an unwritable output, or no broker at the address.</summary>
    public const int BadUsage = 2;

    /// <summary>Reports a usage problem on standard error.</summary>
    /// <returns><see cref="BadUsage"/>.</returns>
    public static int Usage(string problem)
    {
        Console.Error.WriteLine(problem);
        return BadUsage;
    }
}
