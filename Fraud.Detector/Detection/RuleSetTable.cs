using Npgsql;

namespace Fraud.Detector.Detection;

/// <summary>
/// The detector's side of <c>rule_sets</c> (migration 004): which version is active, and its definition. Read only: the
/// API stores and activates every version, the first one included (its login here may not write the table).
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
}
