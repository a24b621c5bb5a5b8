using Aspire.Hosting.Postgres;
using Microsoft.Extensions.DependencyInjection;

namespace Fraud.AppHost.Infrastructure.Postgres;

/// <summary>A database of the system: its owner's connection string, and where a login's connection string points.</summary>
public sealed record FraudDatabase(
    IResourceBuilder<IResourceWithConnectionString> Owner, EndpointReference Server, EndpointProperty Host, string DatabaseName);

public static class PostgresResourceBuilderExtensions
{
    /// <summary>
    /// The official image with a database. Azure Container Apps' volumes are Azure Files shares, where the image's initdb
    /// fails (it cannot chown or chmod its data folder over SMB): no volume there, so the database lives as long as its
    /// replica; keep data with a managed database instead (Postgres:Managed, docs/deploy.md).
    /// </summary>
    public static FraudDatabase AddPostgresContainerDatabase(this IDistributedApplicationBuilder builder, string server, string database)
    {
        var postgres = builder.AddPostgres(server);
        if (!builder.PublishesFor(PublishTarget.AzureContainerApps))
        {
            postgres.WithDataVolume();
        }

        return new FraudDatabase(postgres.AddDatabase(database), postgres.Resource.PrimaryEndpoint, EndpointProperty.Host, database);
    }

    /// <summary>Debian's postgres as a local process (run as the postgres user) with a database owned by a login of its own.</summary>
    public static FraudDatabase AddLocalPostgresDatabase(this IDistributedApplicationBuilder builder, string server, string database)
    {
        var local = builder.AddLocalPostgres(server).AddLocalDatabase(database);
        return new FraudDatabase(local, local.Resource.Parent.PrimaryEndpoint, EndpointProperty.IPV4Host, database);
    }

    public static IResourceBuilder<LocalPostgresResource> AddLocalPostgres(this IDistributedApplicationBuilder builder, string name)
    {
        var stateDirectory = builder.GetLocalStateDirectory();
        var server = new LocalPostgresResource(name, LocalTools.PostgresBinDirectory(),
            // The server keeps its data between runs, so its password must too.
            Path.Combine(stateDirectory, "postgres"), SecretFile.ReadOrCreate(Path.Combine(stateDirectory, "postgres.password")), stateDirectory);
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(server, (_, ct) => server.InitializeDataDirectoryAsync(ct));

        string? connectionString = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(server, async (_, ct) =>
            connectionString = await server.ConnectionStringExpression.GetValueAsync(ct));
        var healthCheck = $"{name}_check";
        builder.Services.AddHealthChecks().AddNpgSql(
            _ => (connectionString ?? throw new InvalidOperationException("Connection string is unavailable")) + ";Database=postgres",
            name: healthCheck);

        // Throwaway test data skips durability, unless a test needs a crash to behave as in production (Postgres:Durable).
        var fast = builder.IsEphemeral() && !string.Equals(builder.Configuration["Postgres:Durable"], "true", StringComparison.OrdinalIgnoreCase);
        return builder.AddResource(server)
            .WithLocalTcpEndpoint(LocalPostgresResource.EndpointName, builder.ExecutionContext.IsRunMode ? 15432 : null)
            .WithArgs(context =>
            {
                foreach (var arg in LocalPostgresResource.Launcher)
                {
                    context.Args.Add(arg);
                }
                context.Args.Add(server.PostgresBinary);
                context.Args.Add("-D");
                context.Args.Add(server.DataDirectory);
                context.Args.Add("-p");
                context.Args.Add(server.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
                foreach (var setting in server.Settings(fast))
                {
                    context.Args.Add("-c");
                    context.Args.Add(setting);
                }
            })
            .WithHealthCheck(healthCheck);
    }

    /// <summary>
    /// A database on the server, created when the server is ready (as Aspire does for containers). It belongs to a login
    /// of its own, <c>{name}_owner</c> (not a superuser; CREATEROLE, to make the services' logins), whose password is
    /// kept beside the state: its connection string is the owner's, which runs the migrations.
    /// </summary>
    public static IResourceBuilder<LocalPostgresDatabaseResource> AddLocalDatabase(this IResourceBuilder<LocalPostgresResource> server, string name)
    {
        var localServer = server.Resource;
        var builder = server.ApplicationBuilder;
        var database = new LocalPostgresDatabaseResource(name, name, localServer, $"{name}_owner",
            SecretFile.ReadOrCreate(Path.Combine(builder.GetLocalStateDirectory(), $"{name}_owner.password")));

        builder.Eventing.Subscribe<ResourceReadyEvent>(localServer, async (@event, ct) =>
        {
            await localServer.CreateDatabaseIfMissingAsync(database, ct);
            await @event.Services.GetRequiredService<ResourceNotificationService>().PublishUpdateAsync(database,
                state => state with { State = KnownResourceStates.Running, StartTimeStamp = DateTime.UtcNow });
        });

        string? connectionString = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(database, async (_, ct) =>
            connectionString = await database.ConnectionStringExpression.GetValueAsync(ct));
        var healthCheck = $"{name}_check";
        builder.Services.AddHealthChecks().AddNpgSql(
            _ => connectionString ?? throw new InvalidOperationException("Connection string is unavailable"),
            name: healthCheck);

        return builder.AddResource(database)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "PostgresDatabase",
                State = KnownResourceStates.Waiting,
                Properties = [],
            })
            .WithHealthCheck(healthCheck);
    }
}
