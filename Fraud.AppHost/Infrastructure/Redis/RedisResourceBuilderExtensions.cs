using Microsoft.Extensions.DependencyInjection;

namespace Fraud.AppHost.Infrastructure;

public static class RedisExtensions
{
    /// <summary>
    /// Redis: the official image (its data on a volume), or Debian's redis-server as a local process (memory only).
    /// Both require a password: the container's is a generated parameter, the local one's is kept beside the state.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddFraudRedis(
        this IDistributedApplicationBuilder builder, string name, InfraMode mode)
    {
        if (mode == InfraMode.Containers)
        {
            return builder.AddRedis(name).WithDataVolume();   // the detectors' per-user state survives a restart
        }

        var stateDirectory = builder.GetLocalStateDirectory();
        var password = SecretFile.ReadOrCreate(Path.Combine(stateDirectory, "redis.password"));
        // The password goes in a configuration file, not in an argument: every local user can read a process's arguments.
        var configFile = Path.Combine(stateDirectory, "redis.conf");
        SecretFile.Write(configFile, $"requirepass {password}\n");
        var redis = new LocalRedisResource(name, LocalTools.RedisServer(), stateDirectory, password);
        string? connectionString = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(redis, async (_, ct) =>
            connectionString = await redis.ConnectionStringExpression.GetValueAsync(ct));
        var healthCheck = $"{name}_check";
        builder.Services.AddHealthChecks().AddRedis(
            _ => connectionString ?? throw new InvalidOperationException("Connection string is unavailable"),
            name: healthCheck);

        return builder.AddResource(redis)
            .WithEndpoint(port: builder.ExecutionContext.IsRunMode ? 16379 : null, name: LocalRedisResource.EndpointName, scheme: "tcp")
            .WithArgs(context =>
            {
                context.Args.Add(configFile);   // redis-server takes its configuration file first, then options
                context.Args.Add("--port");
                context.Args.Add(redis.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
                context.Args.Add("--bind");
                context.Args.Add("127.0.0.1");
                // Hot data and dedup keys only; Postgres holds the history, so no persistence.
                context.Args.Add("--save");
                context.Args.Add("");
                context.Args.Add("--appendonly");
                context.Args.Add("no");
            })
            .WithHealthCheck(healthCheck);
    }
}

/// <summary>Debian's redis-server as a plain process, listening on loopback only, with a password.</summary>
public sealed class LocalRedisResource(string name, string command, string workingDirectory, string password)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    internal const string EndpointName = "tcp";
    internal EndpointReference PrimaryEndpoint => new(this, EndpointName);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"{PrimaryEndpoint.Property(EndpointProperty.IPV4Host)}:{PrimaryEndpoint.Property(EndpointProperty.Port)},password={password}");
}
