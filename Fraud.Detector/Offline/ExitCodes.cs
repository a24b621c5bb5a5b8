namespace Fraud.Detector.Offline;

/// <summary>What the offline commands' exit codes mean.</summary>
internal static class ExitCodes
{
    /// <summary>Done; every line was used.</summary>
    public const int Ok = 0;

    /// <summary>Done, but some input lines were invalid and skipped (each reported on stderr).</summary>
    public const int LinesSkipped = 1;

    /// <summary>Nothing done: bad usage or unusable input (missing file, invalid model, rules or options).</summary>
    public const int BadInput = 2;

    public static int ForSkipped(long skipped) => skipped == 0 ? Ok : LinesSkipped;
}

/// <summary>Input the command cannot work with at all; the message says which and why, and the exit code is 2.</summary>
internal sealed class BadInputException(string message) : Exception(message);
