using System.Diagnostics;

namespace Fraud.AppHost.Infrastructure;

/// <summary>How the infrastructure (broker, Postgres, Redis) runs. The services cannot tell the difference.</summary>
public enum InfraMode
{
    /// <summary>Redpanda, Postgres and Redis container images.</summary>
    Containers,

    /// <summary>Plain local processes: Debian's postgres and redis-server, and Fraud.LocalKafka as the broker.</summary>
    Local,
}

public static class InfraModeExtensions
{
    /// <summary>
    /// The infrastructure of this run, chosen once from <see cref="ResolveInfraMode"/>: every resource it declares
    /// has the same form.
    /// </summary>
    public static IFraudInfrastructure ChooseInfrastructure(this IDistributedApplicationBuilder builder) =>
        builder.ResolveInfraMode() switch
        {
            InfraMode.Containers => new ContainerInfrastructure(builder),
            _ => new LocalInfrastructure(builder),
        };

    /// <summary>
    /// Reads <c>Infra:Mode</c> (<c>containers</c> | <c>local</c> | <c>auto</c>, default auto). The mode must be
    /// settled before any resource is declared: a container resource declared with no healthy runtime makes
    /// everything that waits for it wait forever. Publishing always describes containers.
    /// </summary>
    private static InfraMode ResolveInfraMode(this IDistributedApplicationBuilder builder)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            return InfraMode.Containers;
        }

        var configured = builder.Configuration["Infra:Mode"] ?? "auto";
        return configured.Trim().ToLowerInvariant() switch
        {
            "containers" => InfraMode.Containers,
            "local" => InfraMode.Local,
            "auto" => ContainerRuntimeIsHealthy(builder.Configuration["ASPIRE_CONTAINER_RUNTIME"] ?? "docker")
                ? InfraMode.Containers
                : InfraMode.Local,
            _ => throw new DistributedApplicationException(
                $"Infra:Mode must be 'containers', 'local' or 'auto', not '{configured}'."),
        };
    }

    /// <summary>`docker info` (or `podman info`) succeeds only when a client can reach a running engine.</summary>
    private static bool ContainerRuntimeIsHealthy(string runtime)
    {
        try
        {
            using var probe = Process.Start(new ProcessStartInfo(runtime, ["info", "--format", "{{.ServerVersion}}"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (probe is null)
            {
                return false;
            }
            if (!probe.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                probe.Kill(entireProcessTree: true);
                return false;
            }
            return probe.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // no such client on PATH
        }
    }
}
