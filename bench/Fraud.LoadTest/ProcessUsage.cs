using System.Globalization;

namespace Fraud.LoadTest;

/// <summary>CPU time and peak resident memory of one part of the system during a phase.</summary>
/// <param name="Name">The resource name (detector, kafka, …), "dcp" for the orchestrator and its proxies, or "load tool".</param>
/// <param name="CpuSeconds">User + system CPU time of its processes during the phase.</param>
/// <param name="PeakRssMb">The highest resident set of its largest process seen by the sampler (every 250 ms): for a
/// project the service itself, not the <c>dotnet run</c> launcher DCP starts it with.</param>
/// <param name="PeakTreeRssMb">The highest total over all its processes (launcher and Postgres backends included;
/// shared pages count once per process).</param>
internal sealed record ProcessUsage(string Name, double CpuSeconds, double PeakRssMb, double PeakTreeRssMb)
{
    /// <summary>Several measurements of the same parts as one: CPU seconds added up, the highest peaks.</summary>
    public static IReadOnlyList<ProcessUsage> Combine(IEnumerable<IReadOnlyList<ProcessUsage>> measurements) =>
        measurements.SelectMany(usages => usages)
            .GroupBy(usage => usage.Name, StringComparer.Ordinal)
            .Select(part => new ProcessUsage(part.Key, Math.Round(part.Sum(usage => usage.CpuSeconds), 2),
                part.Max(usage => usage.PeakRssMb), part.Max(usage => usage.PeakTreeRssMb)))
            .ToList();
}

/// <summary>
/// Measures the system's processes per phase from Linux's <c>/proc</c>: each resource is its process and every
/// descendant (a project may run under <c>dotnet</c>, Postgres forks a backend per connection), so its CPU time
/// includes children that have exited (cutime/cstime). DCP, which the AppHost starts detached (it watches this process
/// with <c>--monitor &lt;pid&gt;</c>), and its proxies count as "dcp". Off Linux, or when a process is gone, the figures are 0.
/// </summary>
internal sealed class ProcessSampler : IAsyncDisposable
{
    private const string LoadTool = "load tool";
    private const string Orchestrator = "dcp";
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    // USER_HZ: the unit of /proc/<pid>/stat times. 100 on every Linux architecture .NET runs on.
    private const double TicksPerSecond = 100;

    private readonly IReadOnlyList<(string Name, int Pid)> _resources;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (double Largest, double Tree)> _peakRss = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;
    private Dictionary<string, double> _cpuAtStart = new(StringComparer.Ordinal);

    public ProcessSampler(IReadOnlyList<(string Name, int Pid)> resources)
    {
        _resources = resources;
        _sampling = SampleAsync(_stop.Token);
    }

    /// <summary>Starts a phase: CPU is counted and memory peaks are kept from now.</summary>
    public void Begin()
    {
        var snapshot = Measure();
        lock (_lock)
        {
            _cpuAtStart = snapshot.ToDictionary(usage => usage.Name, usage => usage.CpuSeconds, StringComparer.Ordinal);
            _peakRss.Clear();
            Record(snapshot);
        }
    }

    /// <summary>Ends a phase: each part's CPU seconds since <see cref="Begin"/> and its peak memory.</summary>
    public IReadOnlyList<ProcessUsage> End()
    {
        var snapshot = Measure();
        lock (_lock)
        {
            Record(snapshot);
            return snapshot
                .Select(usage => new ProcessUsage(
                    usage.Name,
                    Math.Round(Math.Max(0, usage.CpuSeconds - _cpuAtStart.GetValueOrDefault(usage.Name)), 2),
                    Math.Round(_peakRss.GetValueOrDefault(usage.Name).Largest, 1),
                    Math.Round(_peakRss.GetValueOrDefault(usage.Name).Tree, 1)))
                .ToList();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _sampling.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task SampleAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await timer.WaitForNextTickAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var snapshot = Measure();
            lock (_lock)
            {
                Record(snapshot);
            }
        }
    }

    private void Record(List<ProcessUsage> snapshot)
    {
        foreach (var usage in snapshot)
        {
            var peak = _peakRss.GetValueOrDefault(usage.Name);
            _peakRss[usage.Name] = (Math.Max(peak.Largest, usage.PeakRssMb), Math.Max(peak.Tree, usage.PeakTreeRssMb));
        }
    }

    /// <summary>Current totals: CPU seconds since each process started, and resident memory now.</summary>
    private List<ProcessUsage> Measure()
    {
        var processes = ReadProcesses();
        var children = processes.Values.ToLookup(process => process.ParentPid);
        var assigned = new HashSet<int>();
        var result = new List<ProcessUsage>();
        foreach (var (name, pid) in _resources)
        {
            var tree = Tree(pid, processes, children);
            assigned.UnionWith(tree.Select(process => process.Pid));
            result.Add(Total(name, tree));
        }

        // The rest of DCP's tree (its controllers, proxies, process monitors) is the orchestrator.
        int self = Environment.ProcessId;
        var orchestrator = processes.Values.Where(process => process.MonitorsPid == self)
            .SelectMany(root => Tree(root.Pid, processes, children))
            .Where(process => !assigned.Contains(process.Pid))
            .DistinctBy(process => process.Pid)
            .ToList();
        result.Add(Total(Orchestrator, orchestrator));
        result.Add(Total(LoadTool, processes.TryGetValue(self, out var tool) ? [tool] : []));
        return result;
    }

    private static ProcessUsage Total(string name, IReadOnlyCollection<ProcStat> processes) => new(
        name,
        processes.Sum(process => process.CpuTicks) / TicksPerSecond,
        processes.Select(process => process.RssBytes).DefaultIfEmpty(0).Max() / (1024.0 * 1024.0),
        processes.Sum(process => process.RssBytes) / (1024.0 * 1024.0));

    private static List<ProcStat> Tree(int root, Dictionary<int, ProcStat> processes, ILookup<int, ProcStat> children)
    {
        var tree = new List<ProcStat>();
        if (!processes.TryGetValue(root, out var first))
        {
            return tree;
        }

        var pending = new Stack<ProcStat>([first]);
        while (pending.TryPop(out var process))
        {
            tree.Add(process);
            foreach (var child in children[process.Pid])
            {
                pending.Push(child);
            }
        }

        return tree;
    }

    private static Dictionary<int, ProcStat> ReadProcesses()
    {
        var processes = new Dictionary<int, ProcStat>();
        if (!Directory.Exists("/proc"))
        {
            return processes;
        }

        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && ProcStat.TryRead(pid, out var stat))
            {
                processes[pid] = stat;
            }
        }

        return processes;
    }

    /// <summary>The fields of <c>/proc/&lt;pid&gt;/stat</c> the sampler uses (proc(5)), and whom a DCP process monitors.</summary>
    private readonly record struct ProcStat(int Pid, int ParentPid, long CpuTicks, long RssBytes, int? MonitorsPid)
    {
        public static bool TryRead(int pid, out ProcStat stat)
        {
            stat = default;
            string text;
            try
            {
                text = File.ReadAllText($"/proc/{pid}/stat");
            }
            catch (IOException)
            {
                return false; // it exited meanwhile
            }
            catch (UnauthorizedAccessException)
            {
                return false;
            }

            // The command name (field 2) is in parentheses and may hold spaces: fields are counted after the last ')'.
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            long Field(int number) => long.Parse(fields[number - 3], CultureInfo.InvariantCulture);
            if (fields.Length < 22)
            {
                return false;
            }

            // utime, stime, cutime, cstime (14–17); rss in pages (24).
            stat = new ProcStat(pid, (int)Field(4), Field(14) + Field(15) + Field(16) + Field(17), Field(24) * Environment.SystemPageSize,
                text.Contains("(dcp)", StringComparison.Ordinal) ? MonitoredPid(pid) : null);
            return true;
        }

        /// <summary>The pid after <c>--monitor</c> on a DCP process' command line (<c>dcp start-apiserver --monitor &lt;pid&gt;</c>).</summary>
        private static int? MonitoredPid(int pid)
        {
            try
            {
                var args = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0');
                int at = Array.IndexOf(args, "--monitor");
                return at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int monitored)
                    ? monitored
                    : null;
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }
    }
}
