using DbUp;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Microsoft.Extensions.Hosting;

/// <summary>The Postgres database every service shares, migrated to the newest script at start-up.</summary>
public static class DatabaseExtensions
{
    /// <param name="connectTimeout">How long opening a connection may take (Npgsql's default: 15 s); an
    /// interactive service sets less, so that while Postgres is unreachable it can answer soon that it is.</param>
    public static IHostApplicationBuilder AddFraudDatabase(this IHostApplicationBuilder builder, string connectionName, TimeSpan? connectTimeout = null)
    {
        builder.AddNpgsqlDataSource(connectionName, configureDataSourceBuilder: dataSource =>
        {
            if (connectTimeout is { } timeout)
            {
                dataSource.ConnectionStringBuilder.Timeout = (int)Math.Ceiling(timeout.TotalSeconds);
            }
        });
        builder.Services.AddHostedService<DatabaseMigrator>();
        return builder;
    }
}

/// <summary>
/// Applies the numbered scripts of <c>migrations/</c> (embedded in this assembly) with DbUp. Several services
/// start at once, so the run is serialized by a Postgres advisory lock; DbUp's journal makes reruns no-ops.
/// Runs before the host starts its background workers, and retries until the database answers.
/// </summary>
internal sealed class DatabaseMigrator(NpgsqlDataSource dataSource, ILogger<DatabaseMigrator> logger) : IHostedService
{
    private const long MigrationLockKey = 0x46524155445F4442; // "FRAUD_DB"

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await MigrateAsync(cancellationToken);
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException && !cancellationToken.IsCancellationRequested)
            {
                var delay = TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, attempt - 1)));
                logger.LogWarning("Database not reachable for migrations (attempt {Attempt}): {Reason}; retrying in {Delay}",
                    attempt, ex.Message, delay);
                await Task.Delay(delay, cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var lockConnection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var acquire = new NpgsqlCommand("SELECT pg_advisory_lock($1)", lockConnection))
        {
            acquire.Parameters.AddWithValue(MigrationLockKey);
            await acquire.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            var result = DeployChanges.To
                .PostgresqlDatabase(new DbUp.Postgresql.PostgresqlConnectionManager(dataSource))
                .WithScriptsEmbeddedInAssembly(typeof(DatabaseMigrator).Assembly, name => name.StartsWith("migrations/", StringComparison.Ordinal))
                .WithTransactionPerScript()
                .LogTo(logger)
                .Build()
                .PerformUpgrade();
            if (!result.Successful)
            {
                throw new InvalidOperationException($"Migration {result.ErrorScript?.Name} failed: {result.Error.Message}", result.Error);
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
}
