using System.Diagnostics;
using Npgsql;

namespace Fraud.AppHost.Infrastructure.Postgres;

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

    /// <summary>
    /// Makes the database's owner login (or sets its password again), then the database, owned by it. A database made
    /// before it had an owner of its own (by postgres) is handed over, with its tables. Names and the password are
    /// quoted by Postgres (format's %I and %L): DDL takes no parameters.
    /// </summary>
    internal async Task CreateDatabaseIfMissingAsync(LocalPostgresDatabaseResource database, CancellationToken cancellationToken)
    {
        // Unpooled: this runs again after every restart of the server, when a pooled connection would be one the old
        // server ended (57P01).
        var connectionString = await ConnectionStringExpression.GetValueAsync(cancellationToken) + ";Pooling=false";
        await using (var server = new NpgsqlConnection(connectionString + ";Database=postgres"))
        {
            await server.OpenAsync(cancellationToken);
            await ExecuteComposedAsync(server,
                """
                SELECT format('%s ROLE %I LOGIN NOSUPERUSER NOCREATEDB CREATEROLE PASSWORD %L;',
                              CASE WHEN EXISTS (SELECT FROM pg_roles WHERE rolname = $2) THEN 'ALTER' ELSE 'CREATE' END, $2, $3)
                    || CASE WHEN EXISTS (SELECT FROM pg_database WHERE datname = $1) THEN format('ALTER DATABASE %I OWNER TO %I', $1, $2)
                            ELSE format('CREATE DATABASE %I OWNER %I', $1, $2) END
                """, [database.DatabaseName, database.Owner, database.OwnerPassword], cancellationToken);
        }
        await using var tables = new NpgsqlConnection($"{connectionString};Database={database.DatabaseName}");
        await tables.OpenAsync(cancellationToken);
        await ExecuteComposedAsync(tables,
            """
            SELECT string_agg(format('ALTER TABLE public.%I OWNER TO %I;', c.relname, $1), '')
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND pg_get_userbyid(c.relowner) <> $1
            """, [database.Owner], cancellationToken);
    }

    /// <summary>Runs the statements <paramref name="compose"/> returns, one by one (CREATE DATABASE refuses a transaction block).</summary>
    private static async Task ExecuteComposedAsync(NpgsqlConnection connection, string compose, object[] values, CancellationToken cancellationToken)
    {
        await using var query = new NpgsqlCommand(compose, connection);
        foreach (var value in values)
        {
            query.Parameters.Add(new NpgsqlParameter { Value = value });
        }
        if (await query.ExecuteScalarAsync(cancellationToken) is string { Length: > 0 } statements)
        {
            foreach (var statement in statements.Split(';', StringSplitOptions.RemoveEmptyEntries))
            {
                await using var command = new NpgsqlCommand(statement, connection);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
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
