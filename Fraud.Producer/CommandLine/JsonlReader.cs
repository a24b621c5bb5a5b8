namespace Fraud.Producer.CommandLine;

/// <summary>
/// Reads a JSONL file line by line as raw bytes. Nothing is decoded, so a line that is not valid UTF-8 reaches the
/// contract's check (and is reported) instead of being silently repaired with replacement characters.
/// </summary>
internal sealed class JsonlReader(Stream stream)
{
    private byte[] _buffer = new byte[1 << 16];
    private int _start;
    private int _end;
    private bool _endOfStream;

    /// <summary>Bytes consumed so far, for progress.</summary>
    public long Position { get; private set; }

    /// <summary>The next line without its line break (<c>\n</c> or <c>\r\n</c>), valid until the next call.</summary>
    /// <returns>False at the end of the file.</returns>
    public bool TryReadLine(out ReadOnlyMemory<byte> line)
    {
        while (true)
        {
            int newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                line = Take(newline, consumed: newline + 1);
                return true;
            }

            if (_endOfStream)
            {
                bool hasLastLine = _end > _start;
                line = hasLastLine ? Take(_end - _start, consumed: _end - _start) : default;
                return hasLastLine;
            }

            Fill();
        }
    }

    private ReadOnlyMemory<byte> Take(int length, int consumed)
    {
        var line = _buffer.AsMemory(_start, length);
        _start += consumed;
        Position += consumed;
        return line.Span.EndsWith((byte)'\r') ? line[..^1] : line;
    }

    private void Fill()
    {
        // Keep the unfinished line, at the front of the buffer (doubled when one line fills it).
        int pending = _end - _start;
        if (pending == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }
        else
        {
            Array.Copy(_buffer, _start, _buffer, 0, pending);
        }

        _start = 0;
        _end = pending;
        int read = stream.Read(_buffer, _end, _buffer.Length - _end);
        _end += read;
        _endOfStream = read == 0;
    }
}
