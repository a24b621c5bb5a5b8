namespace Fraud.Producer.CommandLine;

/// <summary>Appends JSON documents to a file, one per line, through a large buffer (a million lines take seconds).</summary>
internal sealed class JsonlWriter : IDisposable
{
    private const int BufferSize = 1 << 20;

    private readonly FileStream _stream;

    private JsonlWriter(string path, FileStream stream)
    {
        Path = path;
        _stream = stream;
    }

    public string Path { get; }

    public long Lines { get; private set; }

    /// <summary>Creates (or truncates) the file, or explains on standard error why it cannot.</summary>
    /// <returns>The writer, or null.</returns>
    public static JsonlWriter? Create(string path)
    {
        try
        {
            return new JsonlWriter(path, new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, BufferSize));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"Cannot write {path}: {exception.Message}");
            return null;
        }
    }

    public void WriteLine(ReadOnlySpan<byte> json)
    {
        _stream.Write(json);
        _stream.WriteByte((byte)'\n');
        Lines++;
    }

    public void Dispose() => _stream.Dispose();
}
