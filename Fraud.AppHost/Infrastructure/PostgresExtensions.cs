using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Fraud.AppHost.Infrastructure;

public static class PostgresExtensions
{
    /// <summary>The Postgres server: the official image, or Debian's postgres as a local process (run as the postgres user).</summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddFraudPostgres(
        this IDistributedApplicationBuilder builder, string name, InfraMode mode)
    {
        if (mode == InfraMode.Containers)
        {
            // Azure Container Apps' volumes are Azure Files shares, where the image's initdb fails (it cannot chown
            // or chmod its data folder over SMB): no volume there, so the database lives as long as its replica;
            // keep data with a managed database instead (Postgres:Managed, docs/deploy.md).
            var postgres = builder.AddPostgres(name);
            return builder.PublishesFor(PublishTarget.AzureContainerApps) ? postgres : postgres.WithDataVolume();
        }

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

        var fast = builder.IsEphemeral();
        return builder.AddResource(server)
            .WithEndpoint(port: builder.ExecutionContext.IsRunMode ? 15432 : null, name: LocalPostgresResource.EndpointName, scheme: "tcp")
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

    /// <summary>A database on the server, created when the server is ready (as Aspire does for containers).</summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddFraudDatabase(
        this IResourceBuilder<IResourceWithConnectionString> server, string name)
    {
        if (server.Resource is PostgresServerResource)
        {
            return ((IResourceBuilder<PostgresServerResource>)server).AddDatabase(name);
        }

        var localServer = (LocalPostgresResource)server.Resource;
        var builder = server.ApplicationBuilder;
        var database = new LocalPostgresDatabaseResource(name, name, localServer);

        builder.Eventing.Subscribe<ResourceReadyEvent>(localServer, async (@event, ct) =>
        {
            await localServer.CreateDatabaseIfMissingAsync(database.DatabaseName, ct);
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

/// <summary>Debian's PostgreSQL server as a plain process; same connection string shape as the container.</summary>
public sealed class LocalPostgresResource : ExecutableResource, IResourceWithConnectionString
{
    internal const string EndpointName = "tcp";
    private readonly string _binDirectory;
    private readonly string _password;
    private readonly string _scratchDirectory;

    internal LocalPostgresResource(string name, string binDirectory, string dataDirectory, string password, string scratchDirectory)
        : base(name, "/bin/sh", scratchDirectory)
    {
        _binDirectory = binDirectory;
        _password = password;
        _scratchDirectory = scratchDirectory;
        DataDirectory = dataDirectory;
    }

    /// <summary>
    /// What runs the server. The AppHost stops an executable with SIGTERM, SIGKILL after a grace period; to
    /// postgres SIGTERM is a "smart" shutdown that waits for every client to disconnect (a service's connection
    /// pool never does), so each stop ended in SIGKILL and crash recovery. A small shell relays SIGTERM as SIGINT,
    /// postgres's fast shutdown (a clean checkpoint, well under a second), as the official image's STOPSIGNAL does.
    /// setpriv starts postgres as the postgres user when we are root (postgres refuses to run as root) and, so
    /// that no server outlives a shell that is itself killed, gives it SIGKILL when its parent dies.
    /// </summary>
    internal static IEnumerable<string> Launcher =>
    [
        "-c",
        """
        "$@" &
        server=$!
        trap 'kill -INT $server' TERM INT
        wait $server
        status=$?
        while kill -0 $server 2>/dev/null; do wait $server; status=$?; done
        exit $status
        """,
        "postgres-launcher", // $0
        "setpriv",
        .. LocalTools.RunningAsRoot ? (string[])["--reuid=postgres", "--regid=postgres", "--init-groups"] : [],
        "--pdeathsig=KILL",
        "--",
    ];

    internal string DataDirectory { get; }
    internal string PostgresBinary => Path.Combine(_binDirectory, "postgres");
    internal EndpointReference PrimaryEndpoint => new(this, EndpointName);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host={PrimaryEndpoint.Property(EndpointProperty.IPV4Host)};Port={PrimaryEndpoint.Property(EndpointProperty.Port)};Username=postgres;Password={_password}");

    internal IEnumerable<string> Settings(bool fast)
    {
        yield return "listen_addresses=127.0.0.1";
        yield return "unix_socket_directories=";   // TCP only: no socket folder to own
        yield return "log_checkpoints=off";
        yield return "log_min_messages=warning";   // postgres logs to stderr, which the dashboard shows as errors
        if (fast)
        {
            // Throwaway test data: durability costs time and buys nothing.
            yield return "fsync=off";
            yield return "synchronous_commit=off";
            yield return "full_page_writes=off";
        }
    }

    /// <summary>initdb on first use (~1 s); a folder left half-initialized by an interrupted run is redone.</summary>
    internal async Task InitializeDataDirectoryAsync(CancellationToken cancellationToken)
    {
        var marker = Path.Combine(DataDirectory, ".fraud-initialized");
        if (File.Exists(marker))
        {
            return;
        }
        if (Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        Directory.CreateDirectory(DataDirectory);
        var passwordFile = Path.Combine(_scratchDirectory, "initdb.pw");
        SecretFile.Write(passwordFile, _password);
        try
        {
            if (LocalTools.RunningAsRoot)
            {
                await RunAsync("chown", ["-R", "postgres:postgres", DataDirectory, passwordFile], cancellationToken);
            }
            await RunAsPostgresAsync(Path.Combine(_binDirectory, "initdb"),
                ["-D", DataDirectory, "-U", "postgres", $"--pwfile={passwordFile}", "--auth=scram-sha-256",
                 "-E", "UTF8", "--locale=C", "--no-instructions"], cancellationToken);
        }
        finally
        {
            File.Delete(passwordFile);
        }
        await File.WriteAllTextAsync(marker, DateTimeOffset.UtcNow.ToString("O"), cancellationToken);
    }

    internal async Task CreateDatabaseIfMissingAsync(string databaseName, CancellationToken cancellationToken)
    {
        var connectionString = await ConnectionStringExpression.GetValueAsync(cancellationToken);
        await using var connection = new NpgsqlConnection(connectionString + ";Database=postgres");
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection);
        exists.Parameters.AddWithValue(databaseName);
        if (await exists.ExecuteScalarAsync(cancellationToken) is null)
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{databaseName.Replace("\"", "\"\"")}\"", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static Task RunAsPostgresAsync(string program, string[] args, CancellationToken cancellationToken) =>
        LocalTools.RunningAsRoot
            ? RunAsync("setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", program, .. args], cancellationToken)
            : RunAsync(program, args, cancellationToken);

    private static async Task RunAsync(string program, string[] args, CancellationToken cancellationToken)
    {
        using var process = Process.Start(new ProcessStartInfo(program, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = "/",
        }) ?? throw new DistributedApplicationException($"Could not start {program}.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new DistributedApplicationException(
                $"{Path.GetFileName(program)} failed with exit code {process.ExitCode}: {await error}{await output}");
        }
    }
}

/// <summary>A database inside a <see cref="LocalPostgresResource"/>.</summary>
public sealed class LocalPostgresDatabaseResource(string name, string databaseName, LocalPostgresResource parent)
    : Resource(name), IResourceWithParent<LocalPostgresResource>, IResourceWithConnectionString
{
    public LocalPostgresResource Parent => parent;
    public string DatabaseName => databaseName;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{Parent};Database={DatabaseName}");
}
