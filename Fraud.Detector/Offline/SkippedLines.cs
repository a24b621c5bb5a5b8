using Spectre.Console;

namespace Fraud.Detector.Offline;

/// <summary>
/// Reports invalid input lines on stderr as <c>file:line: reason</c> and counts them. Only the first few are printed,
/// so that a wholly broken file does not flood the terminal; the count covers them all.
/// </summary>
internal sealed class SkippedLines(string fileName)
{
    private const int Printed = 20;

    public long Count { get; private set; }

    public void Report(long lineNumber, string reason)
    {
        Count++;
        if (Count <= Printed)
        {
            Terminal.Error.MarkupLineInterpolated($"[yellow]{fileName}:{lineNumber}: {reason}[/]");
        }
        else if (Count == Printed + 1)
        {
            Terminal.Error.MarkupLine("[yellow]… further invalid lines are counted but not printed[/]");
        }
    }
}
