using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Fraud.AppHost.Infrastructure;

public static class SettingsExtensions
{
    /// <summary>
    /// Passes every key of the AppHost's configuration under <paramref name="section"/> to the service as an
    /// environment variable (<c>--Detector:BatchSize=10</c> on the AppHost's command line becomes
    /// <c>Detector__BatchSize=10</c>), so an operator or a test can override any service setting where it starts
    /// the system. Keys the service does not know (e.g. the AppHost's own <c>Detector:Replicas</c>) are ignored by
    /// its options binding. Secret keys (<see cref="SecretSettings"/>) are never passed: they go through secret parameters.
    /// </summary>
    public static IResourceBuilder<T> WithSettingsFrom<T>(this IResourceBuilder<T> service, string section)
        where T : IResourceWithEnvironment
    {
        var settings = service.ApplicationBuilder.Configuration.GetSection(section);
        return service.WithEnvironment(context =>
        {
            foreach (var (key, value) in settings.AsEnumerable(makePathsRelative: true))
            {
                if (value is not null && !SecretSettings.IsSecret($"{section}:{key}"))
                {
                    context.EnvironmentVariables[$"{section}__{key.Replace(":", "__", StringComparison.Ordinal)}"] = value;
                }
            }
        });
    }

    /// <summary>
    /// A local run (<c>./run.sh</c>, the tests) starts the service in the AppHost's environment, Development by its
    /// launch profile, where the API's reads are open; without it a project would start as Production. A deployment
    /// sets its own (Production unless told), so publishing writes nothing.
    /// </summary>
    public static IResourceBuilder<T> WithAppHostEnvironment<T>(this IResourceBuilder<T> service)
        where T : IResourceWithEnvironment
    {
        if (!service.ApplicationBuilder.ExecutionContext.IsRunMode)
        {
            return service;
        }

        string environment = service.ApplicationBuilder.Environment.EnvironmentName;
        return service.WithEnvironment("DOTNET_ENVIRONMENT", environment).WithEnvironment("ASPNETCORE_ENVIRONMENT", environment);
    }

    /// <summary>
    /// Caps the service's young-generation budget (<c>DOTNET_GCgen0size</c>). The workstation GC otherwise sizes it from
    /// the CPU's cache: at 20,000 tx/s the detector then stopped every 2 s or so for a 37–67 ms collection, which a
    /// transaction arriving meanwhile waits out; with 32 MB most pauses took 12–24 ms, and the p99 fell from 68 to 60 ms
    /// (medians of three interleaved runs, docs/benchmarks.md). The runtime reads this knob only from the environment
    /// (it has no runtimeconfig name) and lists it as unsupported; a runtime that ignored it would run the service as
    /// before, with the longer pauses.
    /// </summary>
    public static IResourceBuilder<T> WithGen0Budget<T>(this IResourceBuilder<T> service, int megabytes)
        where T : IResourceWithEnvironment =>
        service.WithEnvironment("DOTNET_GCgen0size", (megabytes * 1024L * 1024).ToString("X", CultureInfo.InvariantCulture));

    /// <summary>A positive integer setting of the AppHost, or <paramref name="defaultValue"/> when not set.</summary>
    public static int GetInt(this IDistributedApplicationBuilder builder, string key, int defaultValue) =>
        builder.Configuration[key] is { } text
            ? int.TryParse(text, out var value) && value > 0
                ? value
                : throw new DistributedApplicationException($"{key} must be a positive integer, not '{text}'.")
            : defaultValue;
}
