using Aspire.Hosting.Testing;
using Npgsql;

namespace Fraud.SystemTests.Integration.Security;

/// <summary>
/// The services query Postgres as a login that may read and write rows and nothing more: what a SQL injection or a
/// compromised service could do through their connection. The owner that migrates is another login, no superuser either.
/// The detector has a login of its own, which may only read the tables the API owns (models, rule sets).
/// </summary>
[Collection(FraudSystemCollection.Name)]
public sealed class DatabaseRoleTests(FraudSystemFixture system)
{
    [Fact]
    public async Task The_services_connection_can_read_and_write_rows_but_not_drop_or_create_tables()
    {
        var serviceLogin = await system.App.GetConnectionStringAsync("fraud-service") ?? throw new InvalidOperationException("no fraud-service connection string");
        var detectorLogin = await system.App.GetConnectionStringAsync("fraud-detector") ?? throw new InvalidOperationException("no fraud-detector connection string");
        foreach (var (service, connectionName, login) in new[] { ("api", "fraud", serviceLogin), ("detector", "fraud-detector", detectorLogin) })
        {
            foreach (var replica in await system.Processes.ReplicasAsync(service))
            {
                Assert.Equal(login, system.Processes.EnvironmentVariable(replica, $"ConnectionStrings__{connectionName}"));
                Assert.Equal(system.PostgresConnectionString, system.Processes.EnvironmentVariable(replica, "ConnectionStrings__fraud-owner"));
            }
        }

        // The migrations ran as the database's owner: locally a login of its own, no superuser.
        await using (var owner = new NpgsqlConnection(system.PostgresConnectionString))
        {
            await owner.OpenAsync();
            Assert.Equal("fraud_owner", await ScalarAsync<string>(owner, "SELECT tableowner::text FROM pg_tables WHERE schemaname = 'public' AND tablename = 'fraud_alerts'"));
            Assert.False(await ScalarAsync<bool>(owner, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"));
        }

        await using var connection = new NpgsqlConnection(serviceLogin);
        await connection.OpenAsync();
        Assert.Equal("fraud_service", await ScalarAsync<string>(connection, "SELECT current_user"));
        Assert.False(await ScalarAsync<bool>(connection, "SELECT rolsuper OR rolcreaterole OR rolcreatedb FROM pg_roles WHERE rolname = current_user"));
        // Rows: read, and written in a transaction that is rolled back.
        await ScalarAsync<long>(connection, "SELECT count(*) FROM fraud_alerts");
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await ExecuteAsync(connection, "INSERT INTO api_keys (name, role, key_sha256, created_by) VALUES ('role-test', 'read', '\\x00', 'test')");
            await ExecuteAsync(connection, "DELETE FROM api_keys WHERE name = 'role-test'");
            await transaction.RollbackAsync();
        }

        // Schema: refused by Postgres (42501 insufficient_privilege), each in a transaction that would be rolled back.
        foreach (var ddl in new[]
        {
            "DROP TABLE fraud_alerts",
            "TRUNCATE fraud_alerts CASCADE",
            "CREATE TABLE role_test (id int)",
            "ALTER TABLE fraud_alerts ADD COLUMN role_test int",
            "DELETE FROM schemaversions",
        })
        {
            await using var transaction = await connection.BeginTransactionAsync();
            var refused = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(connection, ddl));
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
            await transaction.RollbackAsync();
        }
    }

    [Fact]
    public async Task The_detectors_connection_may_read_but_not_write_the_models_and_rule_sets_the_api_owns()
    {
        var detectorLogin = await system.App.GetConnectionStringAsync("fraud-detector") ?? throw new InvalidOperationException("no fraud-detector connection string");
        await using var connection = new NpgsqlConnection(detectorLogin);
        await connection.OpenAsync();
        Assert.Equal("fraud_detector", await ScalarAsync<string>(connection, "SELECT current_user"));
        Assert.NotNull(await ScalarAsync<string>(connection, "SELECT version FROM rule_sets WHERE active"));
        Assert.True(await ScalarAsync<long>(connection, "SELECT count(*) FROM models WHERE active") >= 1);

        // Refused by Postgres (42501 insufficient_privilege), each in a transaction that would be rolled back.
        foreach (var write in new[]
        {
            "INSERT INTO rule_sets (version, definition, author) VALUES ('role-test', '{}', 'test')",
            "UPDATE rule_sets SET active = active",
            "DELETE FROM rule_sets WHERE version = 'role-test'",
            "INSERT INTO models (version, source, parameters, training_rows, model) VALUES ('role-test', 'test', '{}', 0, '\\x00')",
            "UPDATE models SET active = active",
            "DELETE FROM models WHERE version = 'role-test'",
        })
        {
            await using var transaction = await connection.BeginTransactionAsync();
            var refused = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(connection, write));
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
            await transaction.RollbackAsync();
        }

        // The rows of the tables the detector owns it still writes.
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await ExecuteAsync(connection, "DELETE FROM training_samples WHERE tx_id = 'role-test'");
            await transaction.RollbackAsync();
        }
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
