using Npgsql;

namespace Fraud.Detector.Detection;

/// <summary>
/// The detector's side of <c>rule_sets</c> (migration 004): which version is active, its definition, and the seed
/// from the rules file when nothing is active yet. The API stores and activates new versions.
/// </summary>
internal sealed class RuleSetTable(NpgsqlDataSource dataSource)
{
    public async Task<string?> ActiveVersionAsync(CancellationToken cancellationToken) =>
        await dataSource.CreateCommand("SELECT version FROM rule_sets WHERE active").ExecuteScalarAsync(cancellationToken) as string;

    public async Task<(string Version, string Definition)?> ActiveAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT version, definition FROM rule_sets WHERE active");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetString(0), reader.GetString(1)) : null;
    }

    /// <summary>
    /// Stores and activates the rules file's set when no version is active (a fresh installation). Replicas starting
    /// together race harmlessly: the one-active index lets a single seed in.
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
}
