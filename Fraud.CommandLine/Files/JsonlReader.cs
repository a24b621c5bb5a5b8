namespace Fraud.CommandLine.Files;

/// <summary>
/// Reads a JSONL file line by line as raw UTF-8 bytes (never decoded, so a line that is not valid UTF-8 reaches the
/// contract's check and is reported), without a string per line, counting line numbers. A line longer than the
/// buffer is skipped whole and reported as such rather than read in pieces. Shared by the producer's and the
/// detector's file verbs.
/// </summary>
public sealed class JsonlReader(Stream stream, int maxLineBytes = JsonlReader.DefaultMaxLineBytes)
{
    public const int DefaultMaxLineBytes = 1 << 20;

    private readonly byte[] _buffer = new byte[maxLineBytes];
    private int _start;
    private int _end;
    private bool _endOfStream;

    /// <summary>The 1-based number of the line last returned.</summary>
    public long LineNumber { get; private set; }

    /// <summary>Bytes consumed from the stream so far, for progress.</summary>
    public long BytesRead { get; private set; }

    /// <summary>Reads the next line, without its line break (LF or CRLF).</summary>
    /// <param name="line">The line, valid until the next call; empty when <paramref name="tooLong"/>.</param>
    /// <param name="tooLong">Whether the line was longer than the buffer and was skipped.</param>
    /// <returns>False at the end of the file.</returns>
    public bool TryReadLine(out ReadOnlyMemory<byte> line, out bool tooLong)
    {
        tooLong = false;
        while (true)
        {
            int newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                line = TrimCarriageReturn(_buffer.AsMemory(_start, newline));
                _start += newline + 1;
                LineNumber++;
                if (tooLong)
                {
                    line = ReadOnlyMemory<byte>.Empty;
                }

                return true;
            }

            if (_endOfStream)
            {
                line = TrimCarriageReturn(_buffer.AsMemory(_start, _end - _start));
                bool hasLastLine = _end > _start || tooLong;
                _start = _end;
                if (hasLastLine)
                {
                    LineNumber++;
                    if (tooLong)
                    {
                        line = ReadOnlyMemory<byte>.Empty;
                    }
                }

                return hasLastLine;
            }

            if (_start == 0 && _end == _buffer.Length)
            {
                // No line break in a full buffer: drop what we have and keep skipping until the line ends.
                tooLong = true;
                _end = 0;
            }

            Fill();
        }
    }

    private void Fill()
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        int read = stream.Read(_buffer, _end, _buffer.Length - _end);
        _endOfStream = read == 0;
        _end += read;
        BytesRead += read;
    }

    private static ReadOnlyMemory<byte> TrimCarriageReturn(ReadOnlyMemory<byte> line) =>
        line.Span.EndsWith((byte)'\r') ? line[..^1] : line;
}
