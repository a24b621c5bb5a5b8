using Fraud.CommandLine.Files;

namespace Fraud.Detector.Offline;

/// <summary>
/// How the offline commands read a JSONL file, with a progress bar: every non-blank line goes to a reader that
/// returns why the line is invalid, or null. Invalid and over-long lines are reported and counted; blank lines are
/// skipped silently.
/// </summary>
internal static class JsonlLines
{
    /// <summary>Uses one line; returns why it is invalid, or null.</summary>
    public delegate string? LineReader(ReadOnlySpan<byte> line);

    /// <param name="file">The file.</param>
    /// <param name="skipped">Where invalid lines are reported.</param>
    /// <param name="description">What the progress bar says, e.g. "Scoring tx.jsonl".</param>
    /// <param name="read">Uses each non-blank line.</param>
    public static void Read(FileInfo file, SkippedLines skipped, string description, LineReader read)
    {
        using var source = DetectionInputs.OpenInput(file);
        Terminal.WithProgress(description, source.Length, progress =>
        {
            var reader = new JsonlReader(source);
            while (reader.TryReadLine(out var line, out bool tooLong))
            {
                if (tooLong)
                {
                    skipped.Report(reader.LineNumber, $"line longer than {JsonlReader.DefaultMaxLineBytes / (1 << 20)} MiB");
                }
                else if (!line.Span.Trim(" \t"u8).IsEmpty && read(line.Span) is { } error)
                {
                    skipped.Report(reader.LineNumber, error);
                }

                if (reader.LineNumber % 65_536 == 0)
                {
                    progress(reader.BytesRead);
                }
            }

            return 0;
        });
    }
}
