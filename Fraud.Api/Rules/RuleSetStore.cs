using Npgsql;

namespace Fraud.Api.Rules;

/// <summary>One stored version of the rule set (table <c>rule_sets</c>, migration 004).</summary>
internal sealed record RuleSetVersion(string Version, string Author, DateTimeOffset CreatedAt, bool Active);

/// <summary>What a PUT did: the version now active, and whether anything changed.</summary>
internal sealed record RuleSetActivation(string Version, string Author, DateTimeOffset CreatedAt, bool Active, bool Changed);

/// <summary>
/// Reads and writes <c>rule_sets</c>, which the API alone writes: detectors only read it. Storing a version activates it, in one transaction with the deactivation of the
/// previous one, so detectors never see two active versions or none.
/// </summary>
internal sealed class RuleSetStore(NpgsqlDataSource dataSource)
{
    public async Task<(RuleSetVersion Version, string Definition)?> ActiveAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT version, author, created_at, active, definition FROM rule_sets WHERE active");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (Read(reader), reader.GetString(4)) : null;
    }

    public async Task<IReadOnlyList<RuleSetVersion>> VersionsAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT version, author, created_at, active FROM rule_sets ORDER BY created_at DESC, version");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var versions = new List<RuleSetVersion>();
        while (await reader.ReadAsync(cancellationToken))
        {
            versions.Add(Read(reader));
        }

        return versions;
    }

    /// <summary>
    /// Stores <paramref name="definition"/> as <paramref name="version"/> and activates it. Storing a version that exists
    /// with the same definition only (re)activates it; with another definition it is refused.
    /// </summary>
    /// <returns>The activation, or null when the version exists with another definition.</returns>
    public async Task<RuleSetActivation?> StoreAndActivateAsync(string version, string definition, string author, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Serializes concurrent PUTs: the second sees the first's version.
        await using (var lockTable = new NpgsqlCommand("LOCK TABLE rule_sets IN SHARE ROW EXCLUSIVE MODE", connection, transaction))
        {
            await lockTable.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var existing = new NpgsqlCommand("SELECT version, author, created_at, active, definition FROM rule_sets WHERE version = $1", connection, transaction)
        {
            Parameters = { new() { Value = version } },
        })
        await using (var reader = await existing.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                var stored = Read(reader);
                if (reader.GetString(4) != definition)
                {
                    return null;
                }

                await reader.DisposeAsync();
                if (!stored.Active)
                {
                    await ActiveVersions.ActivateAsync(connection, transaction, "rule_sets", version, cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
                return new RuleSetActivation(stored.Version, stored.Author, stored.CreatedAt, true, Changed: !stored.Active);
            }
        }

        await using (var deactivate = new NpgsqlCommand("UPDATE rule_sets SET active = false WHERE active", connection, transaction))
        {
            await deactivate.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var insert = new NpgsqlCommand(
            "INSERT INTO rule_sets (version, definition, author, active) VALUES ($1, $2, $3, true) RETURNING created_at", connection, transaction)
        {
            Parameters = { new() { Value = version }, new() { Value = definition }, new() { Value = author } },
        };
        var createdAt = (DateTime)(await insert.ExecuteScalarAsync(cancellationToken))!;
        await transaction.CommitAsync(cancellationToken);
        return new RuleSetActivation(version, author, new DateTimeOffset(createdAt, TimeSpan.Zero), true, Changed: true);
    }

    /// <summary>
    /// Stores and activates the rules file's set when no version is active (a fresh installation). The one-active index
    /// lets a single seed in, should two ever race.
    /// </summary>
    public async Task SeedAsync(string version, string definition, string author, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO rule_sets (version, definition, author, active)
            SELECT $1, $2, $3, true WHERE NOT EXISTS (SELECT 1 FROM rule_sets WHERE active)
            ON CONFLICT DO NOTHING
            """);
        command.Parameters.Add(new() { Value = version });
        command.Parameters.Add(new() { Value = definition });
        command.Parameters.Add(new() { Value = author });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static RuleSetVersion Read(NpgsqlDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), new DateTimeOffset(reader.GetDateTime(2), TimeSpan.Zero), reader.GetBoolean(3));
}
