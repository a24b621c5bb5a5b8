using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Fraud.AppHost.Infrastructure;

/// <summary>
/// Where local-mode processes keep their data. <c>Infra:StateDir</c> chooses the folder; by default `run` keeps
/// it under /var/tmp (persisting between runs, one folder per checkout) and <c>Infra:Ephemeral=true</c> (tests)
/// uses a fresh temporary folder removed when the AppHost stops. Postgres runs as the unprivileged
/// <c>postgres</c> user, so the folder must not live under a private home directory.
/// </summary>
internal static class LocalState
{
    private const string EphemeralPrefix = "fraud-ephemeral-";
    private static readonly ConditionalWeakTable<IDistributedApplicationBuilder, string> Directories = new();

    public static bool IsEphemeral(this IDistributedApplicationBuilder builder) =>
        string.Equals(builder.Configuration["Infra:Ephemeral"], "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The TCP endpoint a local infrastructure process (broker, Postgres, Redis) serves. `run` gives it a fixed port
    /// (<paramref name="runPort"/>) through DCP's proxy, so a user knows where to connect. An ephemeral system (tests,
    /// the load tool, several at once on one machine) gets a port DCP allocates, which the process serves itself: every
    /// byte through the proxy costs CPU on this machine's two cores (at 20,000 tx/s the broker's traffic alone took DCP
    /// about 4 CPU seconds a minute).
    /// </summary>
    public static IResourceBuilder<T> WithLocalTcpEndpoint<T>(this IResourceBuilder<T> resource, string name, int? runPort)
        where T : IResourceWithEndpoints
    {
        bool ephemeral = resource.ApplicationBuilder.IsEphemeral();
        return resource.WithEndpoint(port: ephemeral ? null : runPort, name: name, scheme: "tcp", isProxied: !ephemeral);
    }

    public static string GetLocalStateDirectory(this IDistributedApplicationBuilder builder) =>
        Directories.GetValue(builder, Create);

    private static string Create(IDistributedApplicationBuilder builder)
    {
        string directory;
        if (builder.IsEphemeral())
        {
            RemoveAbandonedEphemeralFolders();
            directory = Path.Combine(Path.GetTempPath(), $"{EphemeralPrefix}{Environment.ProcessId}-{Guid.NewGuid():N}");
            builder.Services.AddHostedService(sp => new EphemeralFolderCleanup(directory, sp.GetRequiredService<IHostApplicationLifetime>()));
        }
        else
        {
            directory = builder.Configuration["Infra:StateDir"] is { Length: > 0 } configured
                ? Path.GetFullPath(configured)
                : Path.Combine("/var/tmp/fraud-state", CheckoutId(builder.AppHostDirectory));
        }
        Directory.CreateDirectory(directory);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }
        return directory;
    }

    private static string CheckoutId(string appHostDirectory) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(appHostDirectory)))[..12];

    /// <summary>A test run that was killed never removed its folder; its owner's PID is in the name.</summary>
    private static void RemoveAbandonedEphemeralFolders()
    {
        foreach (var folder in Directory.EnumerateDirectories(Path.GetTempPath(), EphemeralPrefix + "*"))
        {
            var pidText = Path.GetFileName(folder)[EphemeralPrefix.Length..].Split('-')[0];
            if (int.TryParse(pidText, out var pid) && !IsAlive(pid))
            {
                TryDelete(folder);
            }
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    internal static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // Still in use (a process is shutting down); the next ephemeral start sweeps it.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private sealed class EphemeralFolderCleanup(string folder, IHostApplicationLifetime lifetime) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            lifetime.ApplicationStopped.Register(() => TryDelete(folder));
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
