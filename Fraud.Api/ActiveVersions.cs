using Npgsql;

namespace Fraud.Api;

/// <summary>
/// The one-active-version switch that <c>models</c> and <c>rule_sets</c> share: inside the caller's transaction the
/// active row is deactivated and the chosen one activated, so readers never see two active versions or none.
/// <c>models</c> has one active version per kind (forest, classifier): pass the kind to switch within it only.
/// </summary>
internal static class ActiveVersions
{
    /// <param name="table">A table with <c>version</c> and <c>active</c> columns (a constant, never user input).</param>
    /// <param name="kind">For <c>models</c>: the kind whose active version changes; null for a table without kinds.</param>
    public static async Task ActivateAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string table, string version, CancellationToken cancellationToken, string? kind = null)
    {
        await using (var deactivate = new NpgsqlCommand(
            kind is null ? $"UPDATE {table} SET active = false WHERE active" : $"UPDATE {table} SET active = false WHERE active AND kind = $1",
            connection, transaction))
        {
            if (kind is not null)
            {
                deactivate.Parameters.Add(new() { Value = kind });
            }

            await deactivate.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var activate = new NpgsqlCommand($"UPDATE {table} SET active = true WHERE version = $1", connection, transaction)
        {
            Parameters = { new() { Value = version } },
        };
        await activate.ExecuteNonQueryAsync(cancellationToken);
    }
}
