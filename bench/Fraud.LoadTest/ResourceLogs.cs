using Microsoft.Extensions.Logging;

namespace Fraud.LoadTest;

/// <summary>
/// Where the system's logs go during a run (the testing builder forwards every resource's output as log entries):
/// to <c>--log FILE</c> when given, and the latest warnings and errors kept in memory, so that a failed run can
/// show what went wrong without the console being flooded while it measures.
/// </summary>
internal sealed class ResourceLogs : ILoggerProvider
{
    private const int KeptProblems = 30;

    private readonly Lock _lock = new();
    private readonly Queue<string> _problems = new();
    private readonly StreamWriter? _file;

    public ResourceLogs(string? path)
    {
        _file = path is null ? null : new StreamWriter(path, append: false) { AutoFlush = true };
    }

    /// <summary>Warnings since the last <see cref="StartCounting"/> (start-up and shutdown are noisy by nature).</summary>
    public long Warnings { get; private set; }

    public long Errors { get; private set; }

    /// <summary>Counts warnings and errors from now on.</summary>
    public void StartCounting()
    {
        lock (_lock)
        {
            Warnings = 0;
            Errors = 0;
        }
    }

    /// <summary>The latest warnings and errors, oldest first.</summary>
    public IReadOnlyList<string> LatestProblems()
    {
        lock (_lock)
        {
            return [.. _problems];
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
        lock (_lock)
        {
            _file?.Dispose();
        }
    }

    private void Write(string category, LogLevel level, string message)
    {
        string line = $"{DateTime.UtcNow:HH:mm:ss.fff} {level,-11} {category}: {message}";
        lock (_lock)
        {
            _file?.WriteLine(line);
            if (level < LogLevel.Warning)
            {
                return;
            }

            if (level == LogLevel.Warning)
            {
                Warnings++;
            }
            else
            {
                Errors++;
            }

            _problems.Enqueue(line);
            if (_problems.Count > KeptProblems)
            {
                _problems.Dequeue();
            }
        }
    }

    private sealed class Logger(ResourceLogs logs, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            string message = formatter(state, exception);
            logs.Write(category, logLevel, exception is null ? message : $"{message} {exception.GetType().Name}: {exception.Message}");
        }
    }
}
