using Microsoft.Extensions.DependencyInjection;

namespace Fraud.AppHost.Infrastructure.Redis;

public static class RedisResourceBuilderExtensions
{
    /// <summary>
    /// Debian's redis-server as a local process (memory only), with a password kept beside the state, as the container
    /// (whose password is a generated parameter) requires one too.
    /// </summary>
    public static IResourceBuilder<LocalRedisResource> AddLocalRedis(this IDistributedApplicationBuilder builder, string name)
    {
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
            .WithLocalTcpEndpoint(LocalRedisResource.EndpointName, builder.ExecutionContext.IsRunMode ? 16379 : null)
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
