using System.Diagnostics;
using System.Reflection;

namespace Fraud.Testing;

/// <summary>Runs a program of this repository as a child process, the way a user runs it from a shell.</summary>
public static class ChildProcess
{
    /// <summary>The configuration the tests were built in (Debug or Release), so a child is the same build.</summary>
    public static string BuildConfiguration =>
        typeof(ChildProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Fraud.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Fraud.sln not found above the test binaries.");
    }

    /// <summary>Runs to completion (at most two minutes) and returns the exit code and both output streams.</summary>
    public static async Task<(int ExitCode, string StandardOutput, string StandardError)> RunAsync(
        string program, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
