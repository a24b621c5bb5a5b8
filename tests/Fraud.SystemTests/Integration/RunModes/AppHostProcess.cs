using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Fraud.SystemTests.Integration.RunModes;

/// <summary>A process seen once: its id and start time (a later process may reuse the id), and its program name.</summary>
public sealed record SeenProcess(int Id, long StartTicks, string Name)
{
    /// <summary>Still running: the same process exists and is not a zombie (this machine's init reaps no orphan,
    /// so a dead orphan stays a zombie: no code, no port, no file held).</summary>
    public bool IsRunning => ProcessTable.Read(Id) is { } now && now.StartTicks == StartTicks && now.State != 'Z';
}

/// <summary>
/// The AppHost run as <c>./run.sh</c> runs it (<c>Development</c>, the dashboard on plain HTTP), as a child process of
/// the test, in local mode with a state folder of the test's, every port free: the dashboard's chosen here, every
/// resource's randomized by Aspire (<c>DcpPublisher:RandomizePorts</c>, as the testing builder does), so it never meets
/// a <c>./run.sh</c> on the same machine. Its API is found where the AppHost told the API to listen.
/// </summary>
public sealed class AppHostProcess : IAsyncDisposable
{
    private const int OutputLines = 80;
    private readonly Process _process;
    private readonly Queue<string> _output = new();
    private readonly string _stateDirectory;
    private IReadOnlyList<SeenProcess> _seen = [];

    private AppHostProcess(Process process, string stateDirectory)
    {
        _process = process;
        _stateDirectory = stateDirectory;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    /// <summary>The AppHost's last lines of output, for a failure's message.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    /// <param name="args">AppHost settings after the defaults here (local mode, the state folder, random ports).</param>
    public static AppHostProcess Start(string stateDirectory, string apiKey, params string[] args)
    {
        string appHost = Path.Combine(ChildProcess.RepositoryRoot(), "Fraud.AppHost", "bin", ChildProcess.BuildConfiguration, "net10.0", "Fraud.AppHost.dll");
        // env gives the AppHost SIGINT's default disposition, as a terminal's foreground program has: a test runner
        // started in the background ignores SIGINT, and its children would inherit that.
        var start = new ProcessStartInfo("env", ["--default-signal=INT", "dotnet", appHost, "--Infra:Mode=local", $"--Infra:StateDir={stateDirectory}",
            "--DcpPublisher:RandomizePorts=true", $"--Parameters:api-key={apiKey}",
            // Set here, so Aspire keeps no generated password in the user's secrets for this throwaway run.
            $"--Parameters:fraud-service-password={Guid.NewGuid():N}", .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = ChildProcess.RepositoryRoot(),
        };
        // What the launch profile of ./run.sh sets, with free ports for the dashboard.
        start.Environment["DOTNET_ENVIRONMENT"] = "Development";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true";
        start.Environment["ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS"] = "true";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePort()}";
        start.Environment["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://127.0.0.1:{FreePort()}";
        start.Environment["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://127.0.0.1:{FreePort()}";
        return new AppHostProcess(Process.Start(start) ?? throw new InvalidOperationException("could not start the AppHost"), stateDirectory);
    }

    /// <summary>Waits until the API answers <c>/health</c> with ok; returns a client for it.</summary>
    public async Task<HttpClient> WaitForHealthyApiAsync(TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        while (DateTime.UtcNow < deadline && !_process.HasExited)
        {
            if (ApiAddress() is { } api)
            {
                try
                {
                    if ((await probe.GetStringAsync(new Uri(api, "/health"))).Contains("\"status\":\"ok\"", StringComparison.Ordinal))
                    {
                        return new HttpClient { BaseAddress = api };
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet, or a dependency not ready (503).
                }
                catch (TaskCanceledException)
                {
                }
            }
            await Task.Delay(500);
        }
        throw new TimeoutException($"the API was not healthy within {within.TotalSeconds} s (AppHost {(_process.HasExited ? $"exited {_process.ExitCode}" : "running")}):\n{Output}");
    }

    /// <summary>
    /// Every process the AppHost started that runs now: its descendants, those of the orchestrator (DCP), which
    /// detaches from it at start and watches it instead (<c>dcp start-apiserver --monitor PID</c>), and those of any
    /// process naming the state folder (a server that left its launcher's tree, as a daemon does, still names its data).
    /// </summary>
    public IReadOnlyList<SeenProcess> StartedProcesses()
    {
        var table = ProcessTable.All();
        var roots = table.Where(p => p.Id == Id || p.Arguments.Zip(p.Arguments.Skip(1)).Contains(("--monitor", Id.ToString(CultureInfo.InvariantCulture)))
                || p.Arguments.Any(argument => argument.Contains(_stateDirectory, StringComparison.Ordinal)))
            .Select(p => p.Id).ToHashSet();
        var found = table.Where(p => roots.Contains(p.Id)).ToList();
        for (int i = 0; i < found.Count; i++)
        {
            found.AddRange(table.Where(p => p.ParentId == found[i].Id && !roots.Contains(p.Id)));
        }
        _seen = found.Where(p => p.State != 'Z').Select(p => new SeenProcess(p.Id, p.StartTicks, p.Name)).ToList();
        return _seen;
    }

    /// <summary>Sends a signal (<c>INT</c> as Ctrl+C does, <c>TERM</c> as <c>kill</c> does) to the AppHost alone.</summary>
    public async Task SignalAsync(string signal)
    {
        var (exitCode, _, error) = await ChildProcess.RunAsync("kill", ["-s", signal, Id.ToString(CultureInfo.InvariantCulture)]);
        Assert.True(exitCode == 0, $"kill -s {signal} {Id}: {error}");
    }

    /// <summary>Waits for the AppHost to exit; returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the AppHost did not exit within {within.TotalSeconds} s:\n{Output}");
        }
        return _process.ExitCode;
    }

    /// <summary>A test that failed half-way leaves nothing running: SIGTERM to the AppHost, then SIGKILL to what is
    /// left of the processes it was last seen to have started.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            StartedProcesses();
            await SignalAsync("TERM");
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }
        foreach (var process in _seen.Where(p => p.IsRunning))
        {
            try
            {
                using var running = Process.GetProcessById(process.Id);
                running.Kill();
            }
            catch (ArgumentException)
            {
            }
        }
        _process.Dispose();
    }

    /// <summary>The API's own address, from the <c>ASPNETCORE_URLS</c> the AppHost gave the running API process.</summary>
    private Uri? ApiAddress()
    {
        foreach (var process in StartedProcesses().Where(p => p.Name == "Fraud.Api"))
        {
            try
            {
                var urls = File.ReadAllText($"/proc/{process.Id}/environ").Split('\0')
                    .FirstOrDefault(variable => variable.StartsWith("ASPNETCORE_URLS=", StringComparison.Ordinal));
                if (urls is not null)
                {
                    return new UriBuilder(urls["ASPNETCORE_URLS=".Length..].Split(';')[0]) { Host = "127.0.0.1" }.Uri;
                }
            }
            catch (IOException)
            {
                // Exited meanwhile.
            }
        }
        return null;
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.Enqueue(line);
            if (_output.Count > OutputLines)
            {
                _output.Dequeue();
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>This machine's processes, read from /proc.</summary>
internal static class ProcessTable
{
    public sealed record Entry(int Id, int ParentId, char State, long StartTicks, string Name, IReadOnlyList<string> Arguments);

    public static List<Entry> All()
    {
        var entries = new List<Entry>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out var pid) && Read(pid) is { } entry)
            {
                entries.Add(entry);
            }
        }
        return entries;
    }

    public static Entry? Read(int pid)
    {
        try
        {
            // /proc/PID/stat: "pid (comm) state ppid … starttime(22nd field) …"; comm may hold spaces and parentheses.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var name = stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')];
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var arguments = Encoding.UTF8.GetString(File.ReadAllBytes($"/proc/{pid}/cmdline")).Split('\0', StringSplitOptions.RemoveEmptyEntries);
            return new Entry(pid, int.Parse(fields[1], CultureInfo.InvariantCulture), fields[0][0],
                long.Parse(fields[19], CultureInfo.InvariantCulture), name, arguments);
        }
        catch (IOException)
        {
            return null; // gone meanwhile
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
