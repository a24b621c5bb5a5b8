using System.Diagnostics;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Fraud.Testing;

/// <summary>One replica's own HTTP address (not the AppHost's proxy, which round-robins between replicas).</summary>
public sealed record ReplicaEndpoint(string ResourceId, Uri Uri);

/// <summary>
/// Process control over a running <see cref="FraudSystem"/>, for fault tests: list a resource's replicas, kill one
/// (SIGKILL, no shutdown), stop and start one through the AppHost, reach each replica's own HTTP endpoint.
/// <para>
/// A resource has one instance per replica, each with its own id: <c>detector-abcdefgh</c>
/// (<see cref="ReplicasAsync"/>). Every method taking a <c>resourceId</c> also accepts the resource's name
/// (<c>"postgres"</c>, <c>"detector"</c>) while it has a single instance.
/// </para>
/// <para>
/// What Aspire 13.6.5 offers and this wraps: the snapshot property <c>executable.pid</c> (for a project, the pid of
/// <c>dotnet run</c>, whose child is the service), the commands <c>start</c>, <c>stop</c> and <c>restart</c>
/// (<see cref="KnownResourceCommands"/>) through <see cref="DistributedApplication.ResourceCommands"/>, and each
/// replica's <c>ASPNETCORE_URLS</c> in its snapshot's environment. A stopped or killed executable keeps its id and
/// its arguments when started again (same target ports, same data folder).
/// </para>
/// </summary>
public sealed class SystemProcesses(DistributedApplication app)
{
    private const string ProcessIdProperty = "executable.pid";
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(90);

    private ResourceNotificationService Notifications => app.ResourceNotifications;

    /// <summary>The ids of a resource's instances, one per replica, in a stable order.</summary>
    public async Task<IReadOnlyList<string>> ReplicasAsync(string resource)
    {
        var expected = ModelResource(resource).Annotations.OfType<ReplicaAnnotation>().LastOrDefault()?.Replicas ?? 1;
        var ids = new SortedSet<string>(StringComparer.Ordinal);
        await WatchUntilAsync(resource, e =>
        {
            if (e.Resource.Name == resource)
            {
                ids.Add(e.ResourceId);
            }
            return ids.Count == expected;
        }, $"the {expected} instance(s) of {resource}");
        return [.. ids];
    }

    /// <summary>Waits until every instance of <paramref name="resource"/> is running and healthy.</summary>
    public async Task WaitUntilHealthyAsync(string resource, CancellationToken cancellationToken = default)
    {
        // Also waits for the resource's ready event (e.g. the database created on the Postgres server).
        await Notifications.WaitForResourceHealthyAsync(resource, cancellationToken);
        foreach (var id in await ReplicasAsync(resource))
        {
            await WaitForAsync(id, snapshot => IsHealthy(snapshot), "healthy", cancellationToken);
        }
    }

    /// <summary>The operating system's id of the instance's process (for a project: <c>dotnet run</c>).</summary>
    public int ProcessId(string resourceId) =>
        Snapshot(resourceId).Properties.SingleOrDefault(p => p.Name == ProcessIdProperty)?.Value switch
        {
            int pid => pid,
            long pid => checked((int)pid),
            string text when int.TryParse(text, out var pid) => pid,
            var other => throw new InvalidOperationException($"{resourceId} has no process id ({other ?? "none"}); is it running?"),
        };

    /// <summary>
    /// <c>kill -9</c> of the service: SIGKILL, so nothing is flushed, committed or closed. The service process is
    /// the one a resource's launcher runs (a project's child of <c>dotnet run</c>, the postmaster under Postgres's
    /// launcher shell): found by following only children down from the resource's process. Its launcher reaps it
    /// and exits in turn, as a supervisor would see a crash. Returns when the AppHost has seen the exit; the
    /// AppHost does not restart it by itself (<see cref="StartAsync"/> does).
    /// </summary>
    /// <remarks>Killing the launchers too would leave the service a zombie of this machine's init, which does not
    /// reap orphans; a postmaster's pid still "alive" that way stops the next postgres from starting.</remarks>
    /// <returns>The pid of the killed process.</returns>
    public async Task<int> KillAsync(string resourceId)
    {
        var id = ResolveId(resourceId);
        var pid = ServiceProcessId(ProcessId(id));
        using (var process = Process.GetProcessById(pid))
        {
            process.Kill(); // SIGKILL on Linux
        }
        await WaitForAsync(id, IsTerminal, "exited after SIGKILL");
        return pid;
    }

    /// <summary>
    /// Sends a POSIX signal (its name as <c>kill -s</c> takes it, e.g. <c>USR1</c>) to the service process, e.g. the
    /// local broker's outage switch (Fraud.LocalKafka: USR1 cuts every connection, USR2 restores them).
    /// </summary>
    public async Task SignalAsync(string resourceId, string signal)
    {
        var pid = ServiceProcessId(ProcessId(ResolveId(resourceId)));
        var (exitCode, _, error) = await ChildProcess.RunAsync("kill", ["-s", signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"kill -s {signal} {pid} failed ({exitCode}): {error}");
        }
    }

    /// <summary>Stops the instance the way the dashboard's Stop does (SIGTERM, then SIGKILL after a grace period).</summary>
    public async Task StopAsync(string resourceId)
    {
        var id = ResolveId(resourceId);
        await ExecuteAsync(id, KnownResourceCommands.StopCommand);
        await WaitForAsync(id, IsTerminal, "stopped");
    }

    /// <summary>Starts a stopped, killed or exited instance again (same id, arguments and ports) and waits until
    /// it is healthy: running as a new process, every health check passed since the start.</summary>
    public async Task StartAsync(string resourceId)
    {
        var id = ResolveId(resourceId);
        var startedAt = DateTime.UtcNow;
        var oldPid = Snapshot(id).Properties.SingleOrDefault(p => p.Name == ProcessIdProperty)?.Value;
        await ExecuteAsync(id, KnownResourceCommands.StartCommand);
        await WaitForAsync(id, snapshot =>
            IsHealthy(snapshot)
            && snapshot.Properties.SingleOrDefault(p => p.Name == ProcessIdProperty)?.Value is { } pid && !pid.Equals(oldPid)
            && snapshot.HealthReports.All(report => report.LastRunAt >= startedAt),
            "running and healthy again");
        if (id.StartsWith("postgres", StringComparison.Ordinal))
        {
            // This process's pooled connections were ended by the old server (57P01 at their next use): drop them.
            Npgsql.NpgsqlConnection.ClearAllPools();
        }
    }

    /// <summary>An outage: stops the instance, keeps it down for <paramref name="downtime"/>, starts it again.</summary>
    public async Task StopForAsync(string resourceId, TimeSpan downtime)
    {
        await StopAsync(resourceId);
        await Task.Delay(downtime);
        await StartAsync(resourceId);
    }

    /// <summary>The value of an environment variable the AppHost gave the instance (null without it).</summary>
    public string? EnvironmentVariable(string resourceId, string name) =>
        Snapshot(ResolveId(resourceId)).EnvironmentVariables.SingleOrDefault(v => v.Name == name)?.Value;

    /// <summary>Each replica's own HTTP address, read from the <c>ASPNETCORE_URLS</c> the AppHost gave it.</summary>
    public async Task<IReadOnlyList<ReplicaEndpoint>> HttpEndpointsAsync(string resource)
    {
        var endpoints = new List<ReplicaEndpoint>();
        foreach (var id in await ReplicasAsync(resource))
        {
            var urls = Snapshot(id).EnvironmentVariables.SingleOrDefault(v => v.Name == "ASPNETCORE_URLS")?.Value
                ?? throw new InvalidOperationException($"{id} has no ASPNETCORE_URLS");
            // One endpoint per project here; Kestrel binds "localhost" to the IPv4 loopback among others.
            var uri = new UriBuilder(urls.Split(';')[0]) { Host = "127.0.0.1" }.Uri;
            endpoints.Add(new ReplicaEndpoint(id, uri));
        }
        return endpoints;
    }

    /// <summary>Follows only children down from <paramref name="pid"/>: a launcher has one, a service none or several
    /// (a running postmaster has at least its checkpointer, background writer, WAL writer and launchers).</summary>
    private static int ServiceProcessId(int pid)
    {
        while (ChildProcessIds(pid) is [var only])
        {
            pid = only;
        }
        return pid;
    }

    private static List<int> ChildProcessIds(int parent)
    {
        var children = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }
            try
            {
                // /proc/PID/stat: "pid (comm) state ppid …"; comm may hold spaces and parentheses.
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) == parent && fields[0] != "Z")
                {
                    children.Add(pid);
                }
            }
            catch (IOException)
            {
                // Gone meanwhile.
            }
        }
        return children;
    }

    private async Task ExecuteAsync(string resourceId, string command)
    {
        var result = await app.ResourceCommands.ExecuteCommandAsync(resourceId, command);
        if (!result.Success)
        {
            throw new InvalidOperationException($"'{command}' on {resourceId} failed: {result.Message}");
        }
    }

    private static bool IsHealthy(CustomResourceSnapshot snapshot) =>
        snapshot.State?.Text == KnownResourceStates.Running && snapshot.HealthStatus == HealthStatus.Healthy;

    private static bool IsTerminal(CustomResourceSnapshot snapshot) =>
        KnownResourceStates.TerminalStates.Contains(snapshot.State?.Text);

    private IResource ModelResource(string resource) =>
        app.Services.GetRequiredService<DistributedApplicationModel>().Resources.SingleOrDefault(r => r.Name == resource)
        ?? throw new ArgumentException($"The AppHost declares no resource '{resource}'.", nameof(resource));

    private string ResolveId(string resourceId) =>
        Notifications.TryGetCurrentState(resourceId, out var state)
            ? state.ResourceId
            : throw new ArgumentException($"No single instance '{resourceId}'; with replicas, pass one of ReplicasAsync's ids.", nameof(resourceId));

    private CustomResourceSnapshot Snapshot(string resourceId) =>
        Notifications.TryGetCurrentState(resourceId, out var state)
            ? state.Snapshot
            : throw new ArgumentException($"No single instance '{resourceId}'.", nameof(resourceId));

    private Task WaitForAsync(string resourceId, Func<CustomResourceSnapshot, bool> predicate, string what,
        CancellationToken cancellationToken = default) =>
        WatchUntilAsync(resourceId, e => e.ResourceId == resourceId && predicate(e.Snapshot), $"{resourceId} {what}", cancellationToken);

    /// <summary>Watches every resource's updates, the current state of each first, until <paramref name="done"/>.</summary>
    private async Task WatchUntilAsync(string subject, Func<ResourceEvent, bool> done, string what, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(WaitLimit);
        try
        {
            await foreach (var resourceEvent in Notifications.WatchAsync(timeout.Token))
            {
                if (done(resourceEvent))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }
        throw new TimeoutException($"Timed out after {WaitLimit.TotalSeconds} s waiting for {what}"
            + (Notifications.TryGetCurrentState(subject, out var last) ? $" (last state {last.Snapshot.State?.Text}, health {last.Snapshot.HealthStatus})." : "."));
    }
}
