using DbUp;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Polly;
using Polly.Retry;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The Postgres database every service shares, migrated to the newest script at start-up. The service queries with the
/// login of <c>ConnectionStrings:{name}</c>; with <c>ConnectionStrings:{name}-owner</c> as well (the AppHost gives both),
/// the migrations run as that owner, which then makes the service's login a role that may only read and write rows.
/// </summary>
public static class DatabaseExtensions
{
    /// <param name="connectTimeout">How long opening a connection may take (Npgsql's default: 15 s); an
    /// interactive service sets less, so that while Postgres is unreachable it can answer soon that it is.</param>
    /// <param name="ownerConnectionName">The owner's connection; <c>{connectionName}-owner</c> unless given.</param>
    /// <param name="readOnlyTables">Tables another service owns: the service's login may only read them. The login
    /// must then be this service's own (the AppHost gives the detector <c>fraud_detector</c>).</param>
    public static IHostApplicationBuilder AddFraudDatabase(this IHostApplicationBuilder builder, string connectionName,
        TimeSpan? connectTimeout = null, string? ownerConnectionName = null, string[]? readOnlyTables = null)
    {
        builder.AddNpgsqlDataSource(connectionName, configureDataSourceBuilder: dataSource =>
        {
            // A statement run a few times is prepared on its connection: the detector's per-flush and per-commit
            // statements are planned once, not at each run.
            dataSource.ConnectionStringBuilder.MaxAutoPrepare = 32;
            dataSource.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
            if (connectTimeout is { } timeout)
            {
                dataSource.ConnectionStringBuilder.Timeout = (int)Math.Ceiling(timeout.TotalSeconds);
            }
        });
        var logins = new DatabaseLogins(
            builder.Configuration.GetConnectionString(ownerConnectionName ?? $"{connectionName}-owner"), builder.Configuration.GetConnectionString(connectionName),
            readOnlyTables ?? []);
        builder.Services.AddHostedService(sp => ActivatorUtilities.CreateInstance<DatabaseMigrator>(sp, logins));
        return builder;
    }
}

/// <summary>The connection strings of the owner that migrates (optional) and of the service, and what the service may only read.</summary>
internal sealed record DatabaseLogins(string? Owner, string? Service, string[] ReadOnlyTables);

/// <summary>
/// Applies the numbered scripts of <c>migrations/</c> (embedded in this assembly) with DbUp. Several services
/// start at once, so the run is serialized by a Postgres advisory lock; DbUp's journal makes reruns no-ops.
/// Runs before the host starts its background workers, and retries until the database answers (Polly: exponential
/// backoff with jitter up to 30 s, so services started together do not knock in step).
/// <para>
/// With an owner login, the scripts run as the owner, and then the service's login is made (or its password set again,
/// so rotating it is a restart) with only what the services need: rows of every table (SELECT, INSERT, UPDATE, DELETE),
/// the tables' sequences; no DDL, no TRUNCATE, not the migrations' journal; only SELECT on the tables another service
/// owns (<see cref="DatabaseLogins.ReadOnlyTables"/>). The owner needs CREATEROLE for that.
/// </para>
/// </summary>
internal sealed class DatabaseMigrator(NpgsqlDataSource dataSource, DatabaseLogins logins, ILogger<DatabaseMigrator> logger) : IHostedService
{
    private const long MigrationLockKey = 0x46524155445F4442; // "FRAUD_DB"
    private const string JournalTable = "schemaversions";     // DbUp's

    public async Task StartAsync(CancellationToken cancellationToken) =>
        await new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<NpgsqlException>().Handle<System.Net.Sockets.SocketException>(),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromSeconds(1),
                MaxDelay = TimeSpan.FromSeconds(30),
                OnRetry = arguments =>
                {
                    logger.LogWarning("Database not reachable for migrations (attempt {Attempt}): {Reason}; retrying in {Delay}",
                        arguments.AttemptNumber + 1, arguments.Outcome.Exception?.Message, arguments.RetryDelay);
                    return default;
                },
            })
            .Build()
            .ExecuteAsync(async token => await MigrateAsync(token), cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        var service = logins.Service is null ? null : new NpgsqlConnectionStringBuilder(logins.Service);
        var separateOwner = logins.Owner is not null && service is not null
            && new NpgsqlConnectionStringBuilder(logins.Owner).Username != service.Username;
        await using var ownerSource = separateOwner ? UntracedDataSource(logins.Owner!) : null;
        var migrations = ownerSource ?? dataSource;

        await using var lockConnection = await migrations.OpenConnectionAsync(cancellationToken);
        await using (var acquire = new NpgsqlCommand("SELECT pg_advisory_lock($1)", lockConnection))
        {
            acquire.Parameters.AddWithValue(MigrationLockKey);
            await acquire.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            var result = DeployChanges.To
                .PostgresqlDatabase(new DbUp.Postgresql.PostgresqlConnectionManager(migrations))
                .WithScriptsEmbeddedInAssembly(typeof(DatabaseMigrator).Assembly, name => name.StartsWith("migrations/", StringComparison.Ordinal))
                .JournalToPostgresqlTable("public", JournalTable)
                .WithTransactionPerScript()
                .LogTo(logger)
                .Build()
                .PerformUpgrade();
            if (!result.Successful)
            {
                throw new InvalidOperationException($"Migration {result.ErrorScript?.Name} failed: {result.Error.Message}", result.Error);
            }
            if (separateOwner)
            {
                await GrantServiceLoginAsync(lockConnection, service!, cancellationToken);
            }
        }
        finally
        {
            // Explicitly: a pooled connection keeps session-level locks until it is reused.
            await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", lockConnection);
            release.Parameters.AddWithValue(MigrationLockKey);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary>
    /// Role names and passwords cannot be parameters of DDL: Postgres quotes them (format's %I and %L) into the
    /// statements, which run in one transaction. A new role has no attribute but LOGIN (no superuser, CREATEDB or
    /// CREATEROLE); naming those in ALTER ROLE would take a superuser, which the owner is not.
    /// </summary>
    private async Task GrantServiceLoginAsync(NpgsqlConnection owner, NpgsqlConnectionStringBuilder service, CancellationToken cancellationToken)
    {
        await using var compose = new NpgsqlCommand(
            """
            SELECT format('%s ROLE %I LOGIN PASSWORD %L;', CASE WHEN EXISTS (SELECT FROM pg_roles WHERE rolname = $1) THEN 'ALTER' ELSE 'CREATE' END, $1, $2)
                || format('GRANT CONNECT ON DATABASE %I TO %I;', current_database(), $1)
                || format('GRANT USAGE ON SCHEMA public TO %I;', $1)
                || format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I;', $1)
                || format('REVOKE ALL ON public.%I FROM %I;', $3, $1)
                || format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %I;', $1)
                || coalesce((SELECT string_agg(format('REVOKE INSERT, UPDATE, DELETE ON public.%I FROM %I;', t, $1), '') FROM unnest($4::text[]) t), '')
            """, owner)
        {
            Parameters =
            {
                new() { Value = service.Username ?? "" }, new() { Value = service.Password ?? "" }, new() { Value = JournalTable },
                new() { Value = logins.ReadOnlyTables },
            },
        };
        var statements = (string)(await compose.ExecuteScalarAsync(cancellationToken))!;
        await using var transaction = await owner.BeginTransactionAsync(cancellationToken);
        await using (var grant = new NpgsqlCommand(statements, owner, transaction))
        {
            await grant.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Database login {Login} may read and write the tables' rows, nothing more{ReadOnly}", service.Username,
            logins.ReadOnlyTables.Length == 0 ? "" : $"; only read {string.Join(", ", logins.ReadOnlyTables)}");
    }

    // The statement that sets the service's password must reach no trace (Npgsql traces every command's text).
    private static NpgsqlDataSource UntracedDataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConfigureTracing(tracing => tracing.ConfigureCommandFilter(_ => false));
        return builder.Build();
    }
}
